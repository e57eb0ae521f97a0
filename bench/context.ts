// What every phase of a run shares, and waiting until the controller has nothing left to do.
import type { V1Pod } from '@kubernetes/client-node';
import type { ImageSpec } from '../api/types.ts';
import { convergenceProblems, type NamespaceObjects } from '../e2e/chaos/convergence.ts';
import { untilNoProblems } from '../e2e/chaos/namespace-state.ts';
import { imageSpecs } from '../e2e/custom-objects.ts';
import { listJobs, type Kube } from '../e2e/integration/harness.ts';
import type { BenchOptions } from './args.ts';
import { pendingWork, type RunningController } from './controller.ts';
import type { Watched } from './watched.ts';

export interface BenchContext {
  kube: Kube;
  kubeconfig: string;
  options: BenchOptions;
  /** The one namespace the controller watches. */
  namespace: string;
  /** Where the floor creates its objects; no controller watches it. */
  floorNamespace: string;
  /** IMAGESPEC_BUILD_NODE_SELECTOR: the benchmark's Node (node.ts), where every build Pod is bound. */
  nodeSelector: string;
  names: string[];
  pods: Watched<V1Pod>;
  floorPods: Watched<V1Pod>;
  imageSpecs: Watched<ImageSpec>;
  controller: RunningController;
  log: (line: string) => void;
}

/** How long one change may take to show: far beyond any goal, only a lost event gets there. */
export const LATENCY_TIMEOUT_MS = 60_000;

/** Generous for the slowest machine: every ImageSpec reconciled a few times at a few ms each. */
export const settleTimeoutMs = (n: number) => 120_000 + n * 100;

/**
 * Waits until the namespace is converged (convergence.ts), `more` finds nothing, and the
 * controller's queues are empty and its workers idle, twice in a row a second apart.
 */
export async function settled(ctx: BenchContext, what: string, more: (objects: NamespaceObjects) => string[] = () => []): Promise<void> {
  const problems = async () => {
    const pending = await pendingWork(ctx.controller);
    if (pending > 0) return [`the controller still has work (queued keys plus seconds held: ${pending})`];
    // Pods only matter to convergence.ts as orphans, which the benchmark never makes; listing
    // thousands of build Pods (each carrying its build context) every second would load the API
    // server instead.
    const [specs, jobs] = await Promise.all([imageSpecs(ctx.kube.custom).list(ctx.namespace), listJobs(ctx.kube, ctx.namespace)]);
    const objects: NamespaceObjects = { imageSpecs: specs, jobs, pods: [] };
    return [...convergenceProblems(objects), ...more(objects)];
  };
  const everyMs = Math.max(500, ctx.names.length / 4);
  for (const round of ['', ' (again, a second later)']) {
    if (round) await new Promise((resolve) => setTimeout(resolve, 1000));
    await untilNoProblems(`${what}${round}`, problems, settleTimeoutMs(ctx.names.length), everyMs);
  }
}

/** Every ImageSpec's phase is one of `phases`. */
export function phasesAre(phases: readonly string[]): (objects: NamespaceObjects) => string[] {
  return (objects) => {
    const off = objects.imageSpecs.filter((spec) => !phases.includes(spec.status?.phase ?? ''));
    return off.length === 0 ? [] : [`${off.length} ImageSpecs not ${phases.join(' or ')}, e.g. ${off[0]!.metadata.name} ${off[0]!.status?.phase ?? '(no status)'}`];
  };
}
