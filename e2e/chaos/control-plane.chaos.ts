// Chaos: kube-apiserver and etcd stopped and started again while builds run and specs change. The
// controller is not restarted: it must notice on its own, catch up with what changed around the
// outage (edits just before the stop, edits and finished builds right after the return), and
// converge (convergence.ts). The time from the API server being ready again to convergence is
// printed. IMAGESPEC_CHAOS_OUTAGES lists the outages (component:seconds, comma-separated).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { clusterUp, startComponent, stopComponent } from '../cluster/cluster.ts';
import {
  connect,
  createImageSpec,
  imageSpecObject,
  installCrds,
  listPods,
  patchImageSpec,
  startController,
  type ControllerProcess,
  type Kube,
} from '../integration/harness.ts';
import * as podStatus from '../integration/pod-status-writer.ts';
import { setPodStatus } from '../integration/pod-status-writer.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { convergenceProblems } from './convergence.ts';
import { chaosBase, chaosControllerEnv, namespaceObjects, untilNoProblems } from './namespace-state.ts';
import { parseOutages } from './outages.ts';

const OUTAGES = parseOutages(process.env['IMAGESPEC_CHAOS_OUTAGES'] ?? 'kube-apiserver:5,kube-apiserver:60,etcd:5,etcd:60');
const SPECS = 8;
const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);

let kube: Kube;
let namespace = '';
let controller: ControllerProcess;
let edits = 0;

async function converged(what: string): Promise<number> {
  return untilNoProblems(what, async () => convergenceProblems(await namespaceObjects(kube, namespace)), 180_000, 100);
}

/** New revisions for some ImageSpecs: each supersedes a build that may be running. */
async function editSome(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    edits += 1;
    await patchImageSpec(kube, namespace, `svc-${edits % SPECS}`, { spec: { packages: { apt: [`pkg-${edits}`] } } });
  }
}

/** The kubelet's part: the oldest unfinished build Pod succeeds. */
async function finishOneBuild(): Promise<void> {
  const pod = (await listPods(kube, namespace)).find((p) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''));
  if (pod) await setPodStatus(kube, namespace, pod.metadata!.name!, podStatus.succeeded(`sha256:${String(edits).padStart(64, '0')}`));
}

before(async () => {
  const { kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  kube = connect(kubeconfig);
  await installCrds(kube);
  namespace = await createNamespace(kube, uniqueNamespaceName('chaos-cp'));
  controller = startController(kubeconfig, chaosControllerEnv('chaos', namespace), 'chaos-control-plane');
  for (let i = 0; i < SPECS; i += 1) await createImageSpec(kube, namespace, imageSpecObject(`svc-${i}`, { ...chaosBase, packages: { apt: ['pkg-0'] } }));
  await converged('the first builds');
});

after(async () => {
  await controller?.stop();
  await deleteNamespaces(kube, [namespace]);
});

for (const outage of OUTAGES) {
  test(`${outage.component} stopped for ${outage.seconds} s: the controller catches up on its own`, async () => {
    const pid = controller.child.pid;
    await finishOneBuild();
    // Changes the controller may not have acted on when the lights go out.
    await editSome(2);
    await stopComponent(outage.component, log);
    await new Promise((resolve) => setTimeout(resolve, outage.seconds * 1000));
    await startComponent(outage.component, log);
    // Changes made the moment the API server answers again.
    await editSome(3);
    await finishOneBuild();
    const ms = await converged(`convergence after ${outage.component} was away ${outage.seconds} s`);
    log(`${outage.component} away ${outage.seconds} s: converged ${(ms / 1000).toFixed(1)} s after the API server was ready again`);
    assert.equal(controller.child.pid, pid);
    assert.equal(controller.child.exitCode, null, 'the controller was not restarted and did not exit');
  });
}
