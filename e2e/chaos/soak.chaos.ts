// Scale and soak: thousands of ImageSpecs, edited at a steady rate for minutes, every build Pod
// finished by the test (it plays the kubelet through the status subresource). Printed: the
// controller's resident memory after the first builds, halfway and at the end, and how long the
// last edits took to settle. At the end no revision may be stuck (convergence.ts, every current
// job Succeeded) and the work queues must be empty (workqueue_depth from /metrics).
// IMAGESPEC_SOAK_SPECS (2000), IMAGESPEC_SOAK_MINUTES (10), IMAGESPEC_SOAK_EDITS_PER_SECOND (5).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { clusterUp } from '../cluster/cluster.ts';
import { connect, createImageSpec, imageSpecObject, installCrds, listJobs, patchImageSpec, startController, type ControllerProcess, type Kube } from '../integration/harness.ts';
import * as podStatus from '../integration/pod-status-writer.ts';
import { setPodStatus } from '../integration/pod-status-writer.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { waitFor } from '../wait.ts';
import { convergenceProblems, type NamespaceObjects } from './convergence.ts';
import { chaosBase, chaosControllerEnv, namespaceObjects, untilNoProblems } from './namespace-state.ts';

const SPECS = Number(process.env['IMAGESPEC_SOAK_SPECS'] ?? 2000);
const MINUTES = Number(process.env['IMAGESPEC_SOAK_MINUTES'] ?? 10);
const EDITS_PER_SECOND = Number(process.env['IMAGESPEC_SOAK_EDITS_PER_SECOND'] ?? 5);
const log = (line: string) => process.stderr.write(`[soak] ${line}\n`);

let kube: Kube;
let namespace = '';
let controller: ControllerProcess;
let finished = 0;

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(/([0-9]+)/.exec(line ?? '')?.[1] ?? 0) / 1024);
}

/** Converged, and every current revision built: nothing is left to do. */
function settledProblems(state: NamespaceObjects): string[] {
  const problems = convergenceProblems(state);
  const pending = state.imageSpecs.filter((spec) => spec.status?.phase !== 'Succeeded');
  if (pending.length > 0) problems.push(`${pending.length} ImageSpecs not Succeeded, e.g. ${pending[0]!.metadata.name} ${pending[0]!.status?.phase ?? '(no status)'}`);
  return problems;
}

async function settled(what: string): Promise<number> {
  return untilNoProblems(what, async () => settledProblems(await namespaceObjects(kube, namespace)), 600_000, 2_000);
}

/** The kubelet's part: every build Pod that has not finished succeeds, many at a time. */
async function finishBuilds(stop: () => boolean): Promise<void> {
  while (!stop()) {
    const pods = (await kube.core.listNamespacedPod({ namespace }).catch(() => ({ items: [] }))).items;
    const open = pods.filter((pod) => !pod.status?.phase || pod.status.phase === 'Pending' || pod.status.phase === 'Running');
    for (let i = 0; i < open.length; i += 16) {
      await Promise.all(
        open.slice(i, i + 16).map((pod) =>
          setPodStatus(kube, namespace, pod.metadata!.name!, podStatus.succeeded(`sha256:${String(++finished).padStart(64, '0')}`)).catch(() => undefined),
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function queueDepth(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('workqueue_depth{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

before(async () => {
  const { kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  kube = connect(kubeconfig);
  await installCrds(kube);
  namespace = await createNamespace(kube, uniqueNamespaceName('soak'));
  controller = startController(kubeconfig, chaosControllerEnv('soak', namespace), 'soak');
});

after(async () => {
  await controller?.stop();
  await deleteNamespaces(kube, [namespace]);
});

test(`${SPECS} ImageSpecs edited ${EDITS_PER_SECOND} times a second for ${MINUTES} min: memory stays flat, nothing stuck, queues drained`, async () => {
  const pid = controller.child.pid!;
  const httpPort = await waitFor('the metrics port in the controller log', async () => {
    const line = controller.logs().split('\n').find((l) => l.includes('"Serving health and metrics"'));
    return line ? (JSON.parse(line) as { port: number }).port : undefined;
  });
  let stopKubelet = false;
  const kubelet = finishBuilds(() => stopKubelet);

  const created = Date.now();
  const names = Array.from({ length: SPECS }, (_, i) => `svc-${i}`);
  for (let i = 0; i < names.length; i += 16) {
    await Promise.all(names.slice(i, i + 16).map((name) => createImageSpec(kube, namespace, imageSpecObject(name, { ...chaosBase, packages: { apt: ['v0'] } }))));
  }
  const firstMs = await settled(`the first ${SPECS} builds`);
  const rssStart = rssMiB(pid);
  log(`${SPECS} ImageSpecs created and built in ${((Date.now() - created) / 1000).toFixed(1)} s (settled ${(firstMs / 1000).toFixed(1)} s after the last create); controller RSS ${rssStart} MiB`);

  const soakMs = MINUTES * 60_000;
  const soakStart = Date.now();
  let edits = 0;
  let rssMiddle = 0;
  while (Date.now() - soakStart < soakMs) {
    edits += 1;
    const name = names[(edits * 7919) % names.length]!;
    await patchImageSpec(kube, namespace, name, { spec: { packages: { apt: [`v${edits}`] } } }).catch(() => undefined);
    if (!rssMiddle && Date.now() - soakStart >= soakMs / 2) {
      rssMiddle = rssMiB(pid);
      log(`halfway: ${edits} edits, controller RSS ${rssMiddle} MiB`);
    }
    const due = soakStart + (edits * 1000) / EDITS_PER_SECOND;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }
  const lastMs = await settled('the last edits');
  stopKubelet = true;
  await kubelet;
  const rssEnd = rssMiB(pid);
  const depth = await queueDepth(httpPort);
  const jobs = (await listJobs(kube, namespace)).length;
  log(
    `${edits} edits in ${MINUTES} min; settled ${(lastMs / 1000).toFixed(1)} s after the last edit; ${finished} builds finished; ` +
      `${jobs} ImageSpecJobs kept; RSS start ${rssStart} MiB, middle ${rssMiddle} MiB, end ${rssEnd} MiB; queue depth ${depth}`,
  );
  assert.equal(depth, 0, 'the work queues are drained');
  assert.equal(controller.child.exitCode, null, 'the controller ran throughout');
});
