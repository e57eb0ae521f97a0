// Convergence: n ImageSpecs created at once, until every build Pod exists (its ADDED event on the
// Pod watch); then the floor, the same client creating each revision's objects itself.
import type { V1Pod } from '@kubernetes/client-node';
import { podName } from '../api/names.ts';
import { createImageSpec, imageSpecObject, listJobs, type Kube } from '../e2e/integration/harness.ts';
import { imageSpecJobs } from '../e2e/custom-objects.ts';
import { writeSnapshot } from './apiserver.ts';
import { settled, settleTimeoutMs, type BenchContext } from './context.ts';
import { cpuMs } from './controller.ts';
import { floorJob, floorPod, type RevisionSample } from './floor-objects.ts';
import { benchSpec } from './plan.ts';
import { runPool } from './pool.ts';
import type { Watched } from './watched.ts';
import { windowWrites, type WindowWrites } from './writes.ts';

/** Resolves with the arrival time of the n-th new Pod on the watch. */
function nthPod(pods: Watched<V1Pod>, n: number, what: string): Promise<number> {
  return pods.next(what, () => pods.firstAdded.size >= n, settleTimeoutMs(n));
}

export interface BurstResult {
  controllerMs: number;
  writes: WindowWrites;
  cpuMs: number;
}

export async function createBurst(ctx: BenchContext): Promise<BurstResult> {
  const { kube, namespace, names, options } = ctx;
  const before = await writeSnapshot(kube);
  const cpuBefore = cpuMs(ctx.controller.pid);
  const lastPod = nthPod(ctx.pods, names.length, `${names.length} build Pods`);
  const start = performance.now();
  await runPool(names, options.concurrency, async (name) => {
    await createImageSpec(kube, namespace, imageSpecObject(name, benchSpec()));
  });
  const controllerMs = (await lastPod) - start;
  ctx.log(`${names.length} build Pods exist ${(controllerMs / 1000).toFixed(2)} s after the first create; waiting for the statuses to settle`);
  await settled(ctx, 'the created ImageSpecs to settle');
  const writes = windowWrites(before, await writeSnapshot(kube));
  return { controllerMs, writes, cpuMs: cpuMs(ctx.controller.pid) - cpuBefore };
}

/** A few revisions exactly as the controller wrote them. */
async function revisionSamples(kube: Kube, namespace: string, count: number): Promise<RevisionSample[]> {
  const jobs = (await listJobs(kube, namespace)).slice(0, count);
  return Promise.all(
    jobs.map(async (job) => ({
      job,
      pod: await kube.core.readNamespacedPod({ namespace, name: podName(job.metadata.name!) }),
    })),
  );
}

/** The floor: the same n revisions' objects created directly, job, then Pod, as the controller does. */
export async function createFloor(ctx: BenchContext): Promise<number> {
  const { kube, floorNamespace, names, options } = ctx;
  const samples = await revisionSamples(kube, ctx.namespace, 3);
  if (samples.length === 0) throw new Error(`no ImageSpecJob in ${ctx.namespace} to copy for the floor`);
  const jobs = imageSpecJobs(kube.custom);
  const lastPod = nthPod(ctx.floorPods, names.length, `${names.length} floor Pods`);
  const start = performance.now();
  await runPool(names, options.concurrency, async (name, i) => {
    const sample = samples[i % samples.length]!;
    const job = await jobs.create(floorNamespace, floorJob(sample, `floor-${name}`, floorNamespace));
    await kube.core.createNamespacedPod({ namespace: floorNamespace, body: floorPod(sample, job) });
  });
  return (await lastPod) - start;
}
