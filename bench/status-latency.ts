// podToStatus: the test as kubelet moves build Pods to Running, then Succeeded or Failed; each
// write is timed to the moment the ImageSpec watch shows the phase it implies. The untimed rest
// go through the same steps in bulk, so that every revision is finished, and the controller's
// writes for the whole way (Pending to finished) are counted.
import type { V1PodStatus } from '@kubernetes/client-node';
import { podName } from '../api/names.ts';
import { imageSpecs } from '../e2e/custom-objects.ts';
import * as podStatus from '../e2e/integration/pod-status-writer.ts';
import { setPodStatus } from '../e2e/integration/pod-status-writer.ts';
import { writeSnapshot } from './apiserver.ts';
import { LATENCY_TIMEOUT_MS, phasesAre, settled, type BenchContext } from './context.ts';
import { statusPlan } from './plan.ts';
import { runPaced, runPool } from './pool.ts';
import type { StatusKind } from './results.ts';
import { windowWrites, type WindowWrites } from './writes.ts';

/** The ImageSpec phase each Pod status leads to. */
const SHOWN_AS: Record<StatusKind, string> = { Running: 'Building', Succeeded: 'Succeeded', Failed: 'Failed' };

let digests = 0;
const STATUS: Record<StatusKind, () => V1PodStatus> = {
  Running: podStatus.running,
  Succeeded: () => podStatus.succeeded(`sha256:${String(++digests).padStart(64, '0')}`),
  Failed: () => podStatus.pushFailed('Could not reach the registry 127.0.0.1:5000 (the benchmark plays a failed push)'),
};

/** The build Pod of each ImageSpec, by the job its status names. */
async function buildPods(ctx: BenchContext): Promise<Map<string, string>> {
  const pods = new Map<string, string>();
  for (const spec of await imageSpecs(ctx.kube.custom).list(ctx.namespace)) {
    if (!spec.status?.jobName) throw new Error(`ImageSpec ${spec.metadata.name} names no job in its status`);
    pods.set(spec.metadata.name!, podName(spec.status.jobName));
  }
  return pods;
}

async function writeStatus(ctx: BenchContext, pod: string, kind: StatusKind): Promise<void> {
  await setPodStatus(ctx.kube, ctx.namespace, pod, STATUS[kind]());
}

/** One timed write: from its response to the ImageSpec watch showing the phase. */
async function timedWrite(ctx: BenchContext, name: string, pod: string, kind: StatusKind): Promise<number> {
  const phase = SHOWN_AS[kind];
  const shown = ctx.imageSpecs.next(`ImageSpec ${name} ${phase}`, ({ object }) => object.metadata.name === name && object.status?.phase === phase, LATENCY_TIMEOUT_MS);
  await writeStatus(ctx, pod, kind);
  const written = performance.now();
  return (await shown) - written;
}

async function timed(ctx: BenchContext, pods: Map<string, string>, names: readonly string[], kind: StatusKind): Promise<number[]> {
  ctx.log(`${names.length} Pods to ${kind}, ${ctx.options.rate} a second, timed to their ImageSpec's status`);
  return runPaced(names.length, ctx.options.rate, (i) => timedWrite(ctx, names[i]!, pods.get(names[i]!)!, kind));
}

async function bulk(ctx: BenchContext, pods: Map<string, string>, names: readonly string[], kind: StatusKind): Promise<void> {
  await runPool(names, ctx.options.concurrency, (name) => writeStatus(ctx, pods.get(name)!, kind));
}

export interface StatusResult {
  byKind: Record<StatusKind, number[]>;
  /** The controller's writes while every Pod went Running, then Succeeded, then (some) Failed. */
  writes: Record<'running' | 'succeeded' | 'failed', WindowWrites>;
  /** How many revisions ended Succeeded and Failed. */
  counts: { succeeded: number; failed: number };
}

/**
 * All Pods Running, then the succeeding ones Succeeded, then the failing ones Failed, each step a
 * window of its own: so the writes of a successful revision (create to Succeeded) and of a failed
 * one are told apart.
 */
export async function podStatusLatencies(ctx: BenchContext): Promise<StatusResult> {
  const plan = statusPlan(ctx.names, ctx.options.statusPods, ctx.options.failedPods);
  const pods = await buildPods(ctx);
  const before = await writeSnapshot(ctx.kube);

  await bulk(ctx, pods, plan.rest, 'Running');
  await settled(ctx, `${plan.rest.length} untimed Pods Running`);
  const running = await timed(ctx, pods, [...plan.succeed, ...plan.fail], 'Running');
  await settled(ctx, 'every Pod Running', phasesAre(['Building']));
  const afterRunning = await writeSnapshot(ctx.kube);

  const succeeded = await timed(ctx, pods, plan.succeed, 'Succeeded');
  await bulk(ctx, pods, plan.rest, 'Succeeded');
  await settled(ctx, 'every succeeding revision Succeeded', phasesAre(plan.fail.length > 0 ? ['Succeeded', 'Building'] : ['Succeeded']));
  const afterSucceeded = await writeSnapshot(ctx.kube);

  const failed = await timed(ctx, pods, plan.fail, 'Failed');
  await settled(ctx, 'every revision finished', phasesAre(['Succeeded', 'Failed']));
  const end = await writeSnapshot(ctx.kube);

  return {
    byKind: { Running: running, Succeeded: succeeded, Failed: failed },
    writes: { running: windowWrites(before, afterRunning), succeeded: windowWrites(afterRunning, afterSucceeded), failed: windowWrites(afterSucceeded, end) },
    counts: { succeeded: plan.succeed.length + plan.rest.length, failed: plan.fail.length },
  };
}
