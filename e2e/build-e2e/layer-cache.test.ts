// End-to-end: the registry layer cache (IMAGESPEC_BUILD_REGISTRY_CACHE) on the local node. Every
// build here starts from an empty node storage (no IMAGESPEC_BUILD_CACHE), as on a node that never
// built this ImageSpec: the second build of the same content (a new updateTime) takes each step's
// layer from the namespace's cache in the registry, pulled through the build endpoint, instead of
// running the step. The build step holds only its Pod's cache token. The figures are printed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImageSpec } from '../../api/types.ts';
import { createHash } from 'node:crypto';
import { createImageSpec, imageSpecObject, listJobs, listPods, patchImageSpec, type ControllerProcess } from '../integration/harness.ts';
import { podBoundToken, uploadPortOf } from '../integration/build-context.ts';
import { waitFor } from '../wait.ts';
import { finished, keepBuildLogs, kubectl, namespaceName, readyCondition, runInImage, startBuildController, startE2e, type E2e } from './harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';

const pythonBase = '127.0.0.1:5001/base/python:3.11-bookworm';
// A slow step of its own, then pip on top: both are layers the cache can give back.
const DOCKERFILE = `FROM ${pythonBase}\nRUN sleep 20 && echo "made by the slow step" > /tmp/slow.txt\n`;

let e2e: E2e;
let controller: ControllerProcess;
const ns = namespaceName('layer-cache');

function failure(spec: ImageSpec): string {
  const ready = readyCondition(spec);
  return `phase ${spec.status?.phase}, reason ${ready?.reason}: ${ready?.message}\n(build logs kept in ${keepBuildLogs(e2e, ns, spec)})`;
}

async function buildSeconds(spec: ImageSpec): Promise<number> {
  const job = (await listJobs(e2e.kube, ns)).find((j) => j.metadata.name === spec.status?.jobName);
  return (Date.parse(job!.status!.completionTime!) - Date.parse(job!.status!.startTime!)) / 1000;
}

describe('the registry layer cache, shared by builds on any node', () => {
  before(async () => {
    e2e = await startE2e();
    await createNamespace(e2e.kube, ns);
    controller = startBuildController(e2e, 'e2e-layer-cache', [ns], { IMAGESPEC_BUILD_REGISTRY_CACHE: 'true', IMAGESPEC_BUILD_CACHE: '' });
  });

  after(async () => {
    await controller?.stop();
    if (e2e) await deleteNamespaces(e2e.kube, [ns]);
  });

  test('a rebuild on an empty node storage takes every step from the cache in the registry', async () => {
    await e2e.kube.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'slow-context' }, data: { Dockerfile: DOCKERFILE } } });
    const spec = { build: { context: { configMap: { name: 'slow-context' } } }, packages: { pip: ['six==1.16.0'] } };
    await createImageSpec(e2e.kube, ns, imageSpecObject('cached', spec as ImageSpec['spec']));
    const cold = await finished(e2e.kube, ns, 'cached');
    assert.equal(cold.status?.phase, 'Succeeded', failure(cold));
    const coldLog = kubectl(e2e, ['logs', '-n', ns, `${cold.status!.jobName}-build`, '-c', 'build']);
    assert.match(coldLog, /using the layer cache 127\.0\.0\.1:\d+\/e2e-[^/]+\/build_cache/);
    assert.match(coldLog, /--> Pushing cache /);

    // The same content again: a new revision, a new Pod with empty storage (emptyDir).
    await patchImageSpec(e2e.kube, ns, 'cached', { spec: { updateTime: '2026-11-25T12:00:00Z' } });
    const warm = await finished(e2e.kube, ns, 'cached', 15 * 60_000, cold.status!.revision);
    assert.equal(warm.status?.phase, 'Succeeded', failure(warm));
    const pod = await e2e.kube.core.readNamespacedPod({ namespace: ns, name: `${warm.status!.jobName}-build` });
    const storage = pod.spec?.volumes?.find((volume) => volume.name === 'storage');
    assert.ok(storage?.emptyDir !== undefined && storage.hostPath === undefined, 'the second build starts from an empty storage');
    const warmLog = kubectl(e2e, ['logs', '-n', ns, `${warm.status!.jobName}-build`, '-c', 'build']);
    const pulled = warmLog.match(/--> Cache pulled from remote /g) ?? [];
    assert.ok(pulled.length >= 2, `the slow step and the pip step come from the cache:\n${warmLog}`);

    const check = await runInImage(e2e.kube, ns, 'check-cached', `${warm.status!.image!}@${warm.status!.digest!}`, 'cat /tmp/slow.txt; python3 -c "import six; print(six.__version__)"', e2e.node.pushCredentials);
    assert.equal(check.logs, 'made by the slow step\n1.16.0\n');
    const [coldSeconds, warmSeconds] = [await buildSeconds(cold), await buildSeconds(warm)];
    process.stdout.write(`layer cache: cold build ${coldSeconds} s, the same content on an empty node storage ${warmSeconds} s (${(warmSeconds / coldSeconds).toFixed(2)}x)\n`);
  });

  test('a running build\'s cache token cannot copy a blob of another repository into its cache', async () => {
    // A blob only another repository holds, pushed there with the registry's own credential.
    const secret = Buffer.from(`a layer of another tenant ${Date.now()}\n`);
    const digest = `sha256:${createHash('sha256').update(secret).digest('hex')}`;
    const registry = 'http://127.0.0.1:5000';
    const { username, password } = e2e.node.pushCredentials;
    const admin = { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
    const started = await fetch(`${registry}/v2/imagespec/another-tenant/app/blobs/uploads/`, { method: 'POST', headers: admin });
    assert.equal(started.status, 202);
    const location = new URL(started.headers.get('location')!, registry);
    location.searchParams.set('digest', digest);
    assert.equal((await fetch(location, { method: 'PUT', headers: { ...admin, 'Content-Type': 'application/octet-stream' }, body: secret })).status, 201);

    // A build whose build step runs long enough to borrow its Pod's cache token.
    await e2e.kube.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'waiting-context' }, data: { Dockerfile: `FROM ${pythonBase}\nRUN sleep 600\n` } } });
    await createImageSpec(e2e.kube, ns, imageSpecObject('waiting', { build: { context: { configMap: { name: 'waiting-context' } } } } as ImageSpec['spec']));
    const pod = await waitFor('the waiting build step to run', async () => {
      const found = (await listPods(e2e.kube, ns)).find((p) => p.metadata?.labels?.['imagespec.dev/imagespec'] === 'waiting');
      return found?.status?.initContainerStatuses?.find((status) => status.name === 'build')?.state?.running ? found : undefined;
    }, 5 * 60_000, 1000);
    const token = await podBoundToken(e2e.kube, pod, 'imagespec-cache');
    const endpoint = `http://127.0.0.1:${await uploadPortOf(controller)}`;
    const asBuild = { Authorization: `Basic ${Buffer.from(`imagespec-build:${token}`).toString('base64')}` };
    const cache = `${endpoint}/v2/${ns}/build_cache`;
    assert.equal((await fetch(`${cache}/blobs/${digest}`, { method: 'HEAD', headers: asBuild })).status, 404);

    // A mount asked for in the query, or in a form body, which the registry also reads.
    const mount = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent('imagespec/another-tenant/app')}`;
    await fetch(`${cache}/blobs/uploads/?${mount}`, { method: 'POST', headers: asBuild });
    await fetch(`${cache}/blobs/uploads/`, { method: 'POST', headers: { ...asBuild, 'Content-Type': 'application/x-www-form-urlencoded' }, body: mount });
    await fetch(`${cache}/blobs/uploads/?x=1;${mount.replace('&', ';')}`, { method: 'POST', headers: asBuild });
    const copied = await fetch(`${cache}/blobs/${digest}`, { headers: asBuild });
    assert.equal(copied.status, 404, `the blob was copied into the cache: ${await copied.text()}`);
    // The token opens its own cache, and no other namespace's.
    assert.equal((await fetch(`${endpoint}/v2/`, { headers: asBuild })).status, 200);
    assert.equal((await fetch(`${endpoint}/v2/another-tenant/build_cache/blobs/${digest}`, { headers: asBuild })).status, 403);
  });
});
