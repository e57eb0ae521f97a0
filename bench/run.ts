// `npm run bench [-- --n 5000 ...]`: the control-plane benchmark. Prints a table on stdout (the
// goals of issue 11 beside each figure, never asserted) and writes bench/results/<time>.json,
// bench/results/latest.json and bench/results/latency.svg. Exits non-zero only when the benchmark
// itself could not run. Against $KUBECONFIG, or the local cluster's control plane (no kubelet
// needed: the benchmark registers a Node of its own and plays its kubelet). Everything happens in
// namespaces of its own and on that Node, all deleted at the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { GROUP, IMAGESPEC_PLURAL, VERSION, type ImageSpec } from '../api/types.ts';
import { clusterUp } from '../e2e/cluster/cluster.ts';
import { repoRoot } from '../e2e/cluster/paths.ts';
import { connect, installCrds, type Kube } from '../e2e/integration/harness.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../e2e/namespaces.ts';
import { waitFor } from '../e2e/wait.ts';
import { parseBenchArgs, USAGE, type BenchOptions } from './args.ts';
import { createBurst, createFloor } from './burst.ts';
import type { BenchContext } from './context.ts';
import { RssSampler, startReadyController, type RunningController } from './controller.ts';
import { editToPod } from './edits.ts';
import { BenchNode, deletePodsNow } from './node.ts';
import { renderLatencySvg } from './latency-svg.ts';
import { imageSpecNames, timestampName } from './plan.ts';
import { buildResults, latencySeries, reportText } from './report.ts';
import { atRest, restart } from './rest.ts';
import type { BenchResults } from './results.ts';
import { podStatusLatencies } from './status-latency.ts';
import { Watched, type WatchedList, type WatchedObject } from './watched.ts';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const resultsDir = join(repoRoot, 'bench', 'results');

/** What must be undone however the run ends: watches, the controller, the namespaces. */
class Cleanup {
  private readonly steps: Array<() => Promise<unknown> | void> = [];
  private done: Promise<void> | undefined;

  add(step: () => Promise<unknown> | void): void {
    this.steps.push(step);
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) await Promise.resolve().then(step).catch((error: unknown) => log(`cleanup: ${String(error)}`));
    })();
    return this.done;
  }
}

/** Deletes the namespaces, their Pods first and at once (node.ts). */
async function deleteRunNamespaces(kube: Kube, namespaces: readonly string[]): Promise<void> {
  for (const namespace of namespaces) await deletePodsNow(kube, namespace).catch((error: unknown) => log(`cleanup: Pods of ${namespace}: ${String(error)}`));
  await deleteNamespaces(kube, namespaces);
}

/** Namespaces of other runs on the same cluster: the API server's counters would count their writes too. */
async function otherRuns(kube: Kube, ours: readonly string[]): Promise<string[]> {
  const list = await kube.core.listNamespace({ labelSelector: 'imagespec.dev/test=true' });
  return list.items.map((ns) => ns.metadata!.name!).filter((name) => !ours.includes(name));
}

/** How long the benchmark waits for the namespaces of earlier test runs to finish deleting. */
const EARLIER_RUNS_TIMEOUT_MS = 300_000;

/**
 * Waits until no test namespace is still being deleted: their garbage collection writes the same
 * resources the benchmark counts (cluster-wide counters), e.g. the soak suite's just before it in CI.
 */
async function earlierRunsGone(kube: Kube): Promise<void> {
  const terminating = async () =>
    (await kube.core.listNamespace({ labelSelector: 'imagespec.dev/test=true' })).items.filter((ns) => ns.status?.phase === 'Terminating').map((ns) => ns.metadata!.name!);
  const first = await terminating();
  if (first.length === 0) return;
  log(`waiting for ${first.length} namespaces of earlier runs to finish deleting (${first.slice(0, 3).join(', ')}${first.length > 3 ? ', ...' : ''})`);
  const deadline = performance.now() + EARLIER_RUNS_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if ((await terminating()).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  log(`still deleting after ${EARLIER_RUNS_TIMEOUT_MS / 1000} s; going on (the run's warnings will name them)`);
}

async function defaultServiceAccount(kube: Kube, namespace: string): Promise<void> {
  // Pods need it; the controller manager creates it a moment after the namespace.
  await waitFor(`the default ServiceAccount of ${namespace}`, () => kube.core.readNamespacedServiceAccount({ namespace, name: 'default' }).then(() => true), 60_000, 100);
}

async function openWatch<T extends WatchedObject>(kube: Kube, path: string, list: () => Promise<WatchedList<T>>, cleanup: Cleanup): Promise<Watched<T>> {
  const watched = new Watched<T>(kube.kubeConfig, path, list);
  await watched.start();
  cleanup.add(() => watched.stop());
  return watched;
}

async function run(options: BenchOptions, cleanup: Cleanup): Promise<BenchResults> {
  const startedAt = new Date();
  const kubeconfig = process.env['KUBECONFIG'] || (await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) })).kubeconfig;
  const kube = connect(kubeconfig);
  await installCrds(kube);
  await earlierRunsGone(kube);
  const namespace = uniqueNamespaceName('bench');
  const floorNamespace = uniqueNamespaceName('bench-floor');
  // Removed last, once no Pod is bound to it any more; labelled with the run's namespace.
  const node = new BenchNode(kube, namespace, log);
  cleanup.add(() => node.remove());
  cleanup.add(() => deleteRunNamespaces(kube, [namespace, floorNamespace]));
  await node.register();
  log(`Node ${node.name} registered; build Pods select ${node.nodeSelector}`);
  await createNamespace(kube, namespace);
  await createNamespace(kube, floorNamespace);
  await Promise.all([defaultServiceAccount(kube, namespace), defaultServiceAccount(kube, floorNamespace)]);
  // Looked for between the phases: a run that starts and ends within one phase goes unseen.
  const others = new Set<string>();
  const lookForOtherRuns = async () => {
    for (const name of await otherRuns(kube, [namespace, floorNamespace])) others.add(name);
  };
  await lookForOtherRuns();

  const podWatch = (ns: string) => openWatch<V1Pod>(kube, `/api/v1/namespaces/${ns}/pods`, () => kube.core.listNamespacedPod({ namespace: ns }), cleanup);
  const pods = await podWatch(namespace);
  const floorPods = await podWatch(floorNamespace);
  const imageSpecResource = { group: GROUP, version: VERSION, plural: IMAGESPEC_PLURAL, namespace };
  const imageSpecs = await openWatch<ImageSpec>(
    kube,
    `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${IMAGESPEC_PLURAL}`,
    async () => (await kube.custom.listNamespacedCustomObject(imageSpecResource)) as WatchedList<ImageSpec>,
    cleanup,
  );

  const first: RunningController = await startReadyController(kubeconfig, namespace, node.nodeSelector, 'first');
  const ctx: BenchContext = {
    kube,
    kubeconfig,
    options,
    namespace,
    floorNamespace,
    nodeSelector: node.nodeSelector,
    names: imageSpecNames(options.n),
    pods,
    floorPods,
    imageSpecs,
    controller: first,
    log,
  };
  cleanup.add(() => ctx.controller.process.stop());
  log(`namespaces ${namespace} (the controller's) and ${floorNamespace} (the floor's); controller ready in ${Math.round(first.readyMs)} ms, log ${first.process.logFile}`);
  const sampler = new RssSampler(first.pid);

  log(`creating ${options.n} ImageSpecs, ${options.concurrency} at a time`);
  const burst = await createBurst(ctx);
  await lookForOtherRuns();
  log(`floor: creating ${options.n} revisions' objects directly, ${options.concurrency} at a time`);
  const floorMs = await createFloor(ctx);
  log(`floor: ${(floorMs / 1000).toFixed(2)} s`);
  const status = await podStatusLatencies(ctx);
  await lookForOtherRuns();
  const rest = await atRest(ctx);
  const peakRssMb = sampler.stop();
  const restarted = await restart(ctx);
  await lookForOtherRuns();
  const edits = await editToPod(ctx);
  await lookForOtherRuns();
  const warnings = [
    ...(others.size === 0
      ? []
      : [`namespaces of other runs existed during the run (${[...others].slice(0, 5).join(', ')}${others.size > 5 ? ', ...' : ''}): the API server's counters are cluster-wide and may count their writes too`]),
    // Every ImageSpec has one job and one build Pod when the restart lists them.
    ...(restarted.listFloor.objects === 3 * options.n
      ? []
      : [`the list floor listed ${restarted.listFloor.objects} objects where ${3 * options.n} exist (ImageSpecs, jobs, build Pods): a start would not see them all`]),
  ];

  return buildResults({
    startedAt,
    finishedAt: new Date(),
    options,
    n: options.n,
    burst: { ...burst, peakRssMb },
    floorMs,
    status,
    edits,
    rest,
    restart: restarted,
    readyEmptyMs: first.readyMs,
    warnings,
  });
}

function writeResults(results: BenchResults): string[] {
  mkdirSync(resultsDir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const files = [join(resultsDir, `${timestampName(new Date(results.startedAt))}.json`), join(resultsDir, 'latest.json'), join(resultsDir, 'latency.svg')];
  writeFileSync(files[0]!, json);
  writeFileSync(files[1]!, json);
  writeFileSync(files[2]!, renderLatencySvg(`Latencies, n=${results.n} (${results.startedAt})`, latencySeries(results)));
  return files;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const cleanup = new Cleanup();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanup.run().finally(() => process.exit(130));
    });
  }
  try {
    const results = await run(options, cleanup);
    await cleanup.run();
    process.stdout.write(reportText(results));
    for (const file of writeResults(results)) log(`wrote ${file}`);
  } catch (error) {
    process.stderr.write(`bench: could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await cleanup.run();
    process.exit(1);
  }
  // Watches and timers may still hold the event loop a moment; the results are out.
  process.exit(0);
}

if (import.meta.main) void main();
