// End-to-end faults during real builds on the local node: someone deletes the build Pod, the node's
// kubelet stops mid-build, and the push registry goes down while a build runs. Each must end in a
// status a user can act on, and a new spec.updateTime must build again once the fault is gone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { ImageSpec } from '../../api/types.ts';
import { ignoreNotFound } from '../../controllers/runtime/errors.ts';
import { createImageSpec, getJob, imageSpecObject, patchImageSpec, type ControllerProcess } from '../integration/harness.ts';
import { kubeletRunning, stopKubelet } from '../node/kubelet.ts';
import { nodeUp } from '../node/node.ts';
import { pushRegistry, startRegistry, stopRegistry } from '../node/registry.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';
import { waitFor } from '../wait.ts';
import { BUILD_POLL_MS, finished, keepBuildLogs, namespaceName, readyCondition, startBuildController, startE2e, type E2e } from './harness.ts';

const debianBase = '127.0.0.1:5001/base/debian:bookworm';
/** Short, so the test does not wait the default 120 s after the node turns NotReady (itself 50 s after the kubelet stops). */
const nodeLostSeconds = 10;
const ns = namespaceName('faults');
const log = (line: string) => process.stderr.write(`[e2e] ${line}\n`);
let e2e: E2e;
let controller: ControllerProcess | undefined;

/** Waits until the ImageSpec's build step runs, and returns its Pod. */
async function buildStepRunning(name: string): Promise<V1Pod> {
  return waitFor(`the build step of ${name} to run`, async () => {
    const spec = (await e2e.kube.custom.getNamespacedCustomObject({ group: 'imagespec.dev', version: 'v1alpha1', namespace: ns, plural: 'imagespecs', name })) as ImageSpec;
    const jobName = spec.status?.jobName;
    if (!jobName) return undefined;
    const podName = (await getJob(e2e.kube, ns, jobName)).status?.podName;
    if (!podName) return undefined;
    const pod = await e2e.kube.core.readNamespacedPod({ namespace: ns, name: podName }).catch(() => undefined);
    const running = pod?.status?.initContainerStatuses?.find((s) => s.name === 'build')?.state?.running;
    return running ? pod : undefined;
  }, 5 * 60_000, BUILD_POLL_MS);
}

async function rebuild(name: string, failed: ImageSpec): Promise<ImageSpec> {
  await patchImageSpec(e2e.kube, ns, name, { spec: { updateTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } });
  return finished(e2e.kube, ns, name, 15 * 60_000, failed.status?.revision);
}

describe('faults during real builds', () => {
  before(async () => {
    e2e = await startE2e();
    await createNamespace(e2e.kube, ns);
    controller = startBuildController(e2e, 'e2e-faults', [ns], { IMAGESPEC_BUILD_NODE_LOST_SECONDS: String(nodeLostSeconds) });
  });

  after(async () => {
    if (!kubeletRunning()) await nodeUp({ log });
    await startRegistry(pushRegistry, log);
    await controller?.stop();
    if (e2e) await deleteNamespaces(e2e.kube, [ns]);
  });

  test('the build Pod deleted mid-build: PodDeleted, and spec.updateTime builds again', async () => {
    await createImageSpec(e2e.kube, ns, imageSpecObject('deleted', { baseImage: debianBase, packages: { apt: ['jq'] } }));
    const pod = await buildStepRunning('deleted');
    await e2e.kube.core.deleteNamespacedPod({ namespace: ns, name: pod.metadata!.name! });
    const failed = await finished(e2e.kube, ns, 'deleted');
    assert.equal(failed.status?.phase, 'Failed');
    assert.equal(readyCondition(failed)?.reason, 'PodDeleted', readyCondition(failed)?.message ?? '');
    assert.match(failed.status?.message ?? '', /was deleted before the build finished; a new revision or spec\.updateTime builds again/);
    const again = await rebuild('deleted', failed);
    assert.equal(again.status?.phase, 'Succeeded', again.status?.message ?? '');
  });

  test('the kubelet stopped mid-build: NodeLost once the node has not been Ready for the set time, and spec.updateTime builds again once it is back', async () => {
    await createImageSpec(e2e.kube, ns, imageSpecObject('stranded', { baseImage: debianBase, packages: { apt: ['jq', 'file'] } }));
    const pod = await buildStepRunning('stranded');
    // Its containers keep running under containerd; nothing reports them, and nothing would start the push step.
    await stopKubelet(log);
    const stopped = Date.now();
    const failed = await finished(e2e.kube, ns, 'stranded', 5 * 60_000);
    log(`kubelet stopped -> NodeLost in ${((Date.now() - stopped) / 1000).toFixed(1)} s (NotReady after the controller manager's 50 s grace, then ${nodeLostSeconds} s)`);
    assert.equal(failed.status?.phase, 'Failed');
    assert.equal(readyCondition(failed)?.reason, 'NodeLost', readyCondition(failed)?.message ?? '');
    const message = failed.status?.message ?? '';
    assert.match(message, new RegExp(`The node 127\\.0\\.0\\.1 running build Pod ${pod.metadata!.name} has not been Ready for ${nodeLostSeconds} s \\(NodeStatusUnknown`));
    assert.match(message, /A new revision or spec\.updateTime builds again/);
    const left = await e2e.kube.core.readNamespacedPod({ namespace: ns, name: pod.metadata!.name! }).catch(ignoreNotFound);
    assert.equal(left, undefined, 'the abandoned build Pod is deleted');

    await nodeUp({ log });
    const again = await rebuild('stranded', failed);
    assert.equal(again.status?.phase, 'Succeeded', again.status?.message ?? '');
  });

  test('the registry down during the push: PushFailed naming the registry, and spec.updateTime builds again once it is back', async () => {
    await createImageSpec(e2e.kube, ns, imageSpecObject('offline', { baseImage: debianBase, packages: { apt: ['jq', 'less'] } }));
    await buildStepRunning('offline');
    // The base image comes from the other registry: only the push finds nobody.
    await stopRegistry(pushRegistry, log);
    const failed = await finished(e2e.kube, ns, 'offline');
    keepBuildLogs(e2e, ns, failed);
    assert.equal(failed.status?.phase, 'Failed');
    assert.equal(readyCondition(failed)?.reason, 'PushFailed', readyCondition(failed)?.message ?? '');
    const message = failed.status?.message ?? '';
    assert.match(message, /The controller could not push the image to 127\.0\.0\.1:5000\/\S+ \(HTTP 502\)/);
    assert.match(message, /127\.0\.0\.1:5000/);
    await startRegistry(pushRegistry, log);
    const again = await rebuild('offline', failed);
    assert.equal(again.status?.phase, 'Succeeded', again.status?.message ?? '');
  });
});
