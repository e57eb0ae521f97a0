// End-to-end: an ImageSpec pushing to a target of its own (spec.output) with its own credential
// (spec.output.pushSecret), on a second registry on loopback with its own users, within what the
// admin allows (IMAGESPEC_OUTPUT_ALLOWED), and refused outside it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ImageSpec } from '../../api/types.ts';
import { startTestRegistry, type TestRegistry } from '../../registry/testdata/registry-process.ts';
import { createImageSpec, getJob, imageSpecObject, listJobs, type ControllerProcess } from '../integration/harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';
import { fetchManifest, finished, keepBuildLogs, namespaceName, readyCondition, seconds, startBuildController, startE2e, type E2e } from './harness.ts';

let e2e: E2e;
let controller: ControllerProcess;
let registry: TestRegistry;
const ns = namespaceName('output');
const tenant = { username: 'team-a-robot', password: randomBytes(12).toString('base64url') };

function describeFailure(spec: ImageSpec): string {
  const ready = readyCondition(spec);
  return `phase ${spec.status?.phase}, reason ${ready?.reason}: ${ready?.message} (logs: ${keepBuildLogs(e2e, ns, spec)})`;
}

/** A dockerconfigjson Secret in the username/password form (the `auth` form is unit-tested). */
async function createPushSecret(name: string, password: string): Promise<void> {
  const config = { auths: { [registry.address]: { username: tenant.username, password } } };
  await e2e.kube.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': JSON.stringify(config) } },
  });
}

describe('an ImageSpec\'s own push target and credential', () => {
  before(async () => {
    e2e = await startE2e();
    await createNamespace(e2e.kube, ns);
    registry = await startTestRegistry({ htpasswd: tenant });
    controller = startBuildController(e2e, 'e2e-output', [ns], {
      IMAGESPEC_OUTPUT_ALLOWED: `${registry.address}/team-a`,
      IMAGESPEC_INSECURE_REGISTRIES: `${e2e.node.baseRegistry},${registry.address}`,
    });
    await createPushSecret('team-a-push', tenant.password);
    await createPushSecret('stale-push', 'not-the-password');
  });

  after(async () => {
    await controller?.stop();
    await registry?.stop();
    if (e2e) await deleteNamespaces(e2e.kube, [ns]);
  });

  test('pushes to spec.output.image, tagged with the revision, with the tenant\'s Secret only', async () => {
    const started = Date.now();
    const output = { image: `${registry.address}/team-a/app`, pushSecret: 'team-a-push' };
    await createImageSpec(e2e.kube, ns, imageSpecObject('own-target', { baseImage: `${e2e.node.baseRegistry}/base/debian:bookworm`, output }));
    const spec = await finished(e2e.kube, ns, 'own-target');
    assert.equal(spec.status?.phase, 'Succeeded', describeFailure(spec));
    process.stderr.write(`[e2e] build pushed to the ImageSpec's own target in ${seconds(Date.now() - started)} s\n`);
    assert.equal(spec.status?.image, `${registry.address}/team-a/app:${spec.status!.revision!.slice(0, 12)}`);
    const manifest = await fetchManifest(spec.status!.image!, tenant);
    assert.equal(manifest.digest, spec.status?.digest, 'the second registry has the image, under the digest the status shows');

    const job = await getJob(e2e.kube, ns, spec.status!.jobName!);
    const pod = await e2e.kube.core.readNamespacedPod({ namespace: ns, name: job.status!.podName! });
    assert.ok(!JSON.stringify(pod.spec).includes('team-a-push'), 'no build Pod mounts or names the push Secret');
  });

  test('a push Secret whose password the registry refuses fails the build PushFailed, naming the cause, not the password', async () => {
    const output = { image: `${registry.address}/team-a/stale`, pushSecret: 'stale-push' };
    await createImageSpec(e2e.kube, ns, imageSpecObject('stale-secret', { baseImage: `${e2e.node.baseRegistry}/base/debian:bookworm`, output }));
    const spec = await finished(e2e.kube, ns, 'stale-secret');
    const ready = readyCondition(spec);
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(ready?.reason, 'PushFailed');
    assert.match(ready?.message ?? '', /HTTP 401; check the username and password in Secret "stale-push" \(spec\.output\.pushSecret\)/);
    assert.ok(!(ready?.message ?? '').includes('not-the-password'));
  });

  test('an output outside what the admin allows fails OutputNotAllowed and builds nothing', async () => {
    const output = { image: `${registry.address}/team-b/app`, pushSecret: 'team-a-push' };
    await createImageSpec(e2e.kube, ns, imageSpecObject('outside', { baseImage: `${e2e.node.baseRegistry}/base/debian:bookworm`, output }));
    const spec = await finished(e2e.kube, ns, 'outside', 60_000);
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(readyCondition(spec)?.reason, 'OutputNotAllowed');
    assert.match(readyCondition(spec)?.message ?? '', new RegExp(`^spec\\.output\\.image: "${registry.address.replaceAll('.', '\\.')}/team-b/app" is outside where this cluster lets an ImageSpec push`));
    assert.deepEqual((await listJobs(e2e.kube, ns)).filter((job) => job.spec.imageSpecName === 'outside'), []);
  });
});
