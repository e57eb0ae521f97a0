// End-to-end: a base image behind registry auth, as spec.baseImage and as the FROM of the
// ImageSpec's own Dockerfile (spec.build). With spec.pullSecret the build pulls it; without, the
// build fails with BaseImagePullFailed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createImageSpec, imageSpecObject, type ControllerProcess } from '../integration/harness.ts';
import { run } from '../node/run.ts';
import { dockerConfigJson, finished, namespaceName, readyCondition, startBuildController, startE2e, type E2e } from './harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';

let e2e: E2e;
let controller: ControllerProcess;
const ns = namespaceName('pull');
const pullSecretName = 'base-pull';

/** Copies the Debian base into the authenticated registry (credentials in a file, not on a command line). */
async function privateBaseImage(): Promise<string> {
  const target = `${e2e.node.pushRegistry}/private/debian:bookworm`;
  const dir = mkdtempSync(join(tmpdir(), 'pull-auth-'));
  try {
    const authfile = join(dir, 'auth.json');
    writeFileSync(authfile, dockerConfigJson(e2e.node.pushRegistry, e2e.node.pushCredentials), { mode: 0o600 });
    await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', '--dest-authfile', authfile, `docker://${e2e.node.images.debian.pinned}`, `docker://${target}`]);
    return target;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a base image behind registry auth', () => {
  let base: string;

  before(async () => {
    e2e = await startE2e();
    await createNamespace(e2e.kube, ns);
    base = await privateBaseImage();
    await e2e.kube.core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: pullSecretName },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from(dockerConfigJson(e2e.node.pushRegistry, e2e.node.pushCredentials)).toString('base64') },
      },
    });
    await e2e.kube.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'private-from' }, data: { Dockerfile: `FROM ${base}\nRUN echo built > /built.txt\n` } } });
    controller = startBuildController(e2e, 'e2e-pull', [ns]);
    await createImageSpec(e2e.kube, ns, imageSpecObject('with-secret', { baseImage: base, pullSecret: pullSecretName, packages: { apt: ['jq'] } }));
    await createImageSpec(e2e.kube, ns, imageSpecObject('without-secret', { baseImage: base, packages: { apt: ['jq'] } }));
    const ownDockerfile = { build: { context: { configMap: { name: 'private-from' } } } };
    await createImageSpec(e2e.kube, ns, imageSpecObject('from-with-secret', { ...ownDockerfile, pullSecret: pullSecretName }));
    await createImageSpec(e2e.kube, ns, imageSpecObject('from-without-secret', ownDockerfile));
  });

  after(async () => {
    await controller?.stop();
    if (e2e) await deleteNamespaces(e2e.kube, [ns]);
  });

  test('with spec.pullSecret the build pulls the private base image and succeeds', async () => {
    const spec = await finished(e2e.kube, ns, 'with-secret');
    const ready = readyCondition(spec);
    assert.equal(spec.status?.phase, 'Succeeded', `${ready?.reason}: ${ready?.message}`);
  });

  test('without it the build fails with BaseImagePullFailed', async () => {
    const spec = await finished(e2e.kube, ns, 'without-secret');
    const ready = readyCondition(spec);
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(ready?.reason, 'BaseImagePullFailed', ready?.message ?? '');
    assert.match(ready?.message ?? '', /unauthorized|authentication required/i);
  });

  test('a Dockerfile whose FROM is the private image builds with spec.pullSecret', async () => {
    const spec = await finished(e2e.kube, ns, 'from-with-secret');
    const ready = readyCondition(spec);
    assert.equal(spec.status?.phase, 'Succeeded', `${ready?.reason}: ${ready?.message}`);
  });

  test('and fails with BaseImagePullFailed without it', async () => {
    const spec = await finished(e2e.kube, ns, 'from-without-secret');
    const ready = readyCondition(spec);
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(ready?.reason, 'BaseImagePullFailed', ready?.message ?? '');
    assert.match(ready?.message ?? '', /^Could not pull an image the Dockerfile Dockerfile names in FROM/);
    assert.match(ready?.message ?? '', /unauthorized|authentication required/i);
  });
});
