// End-to-end: builds behind a proxy. The base image is named by a `.test` host that resolves
// nowhere; only the loopback proxy knows it as 127.0.0.1, and the proxy reaches nothing but
// loopback. A build that succeeds therefore pulled its base and fetched its pip package through
// the proxy; the image it leaves must not remember the proxy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImageSpec } from '../../api/types.ts';
import { createImageSpec, getJob, imageSpecObject, listJobs, type ControllerProcess } from '../integration/harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';
import { dockerConfigJson, finished, keepBuildLogs, namespaceName, readyCondition, seconds, startBuildController, startE2e, type E2e } from './harness.ts';
import { startLoopbackProxy, type LoopbackProxy } from './loopback-proxy.ts';
import { probeProject, startProbeIndex, type ProbeIndex } from './probe/probe-package.ts';

const PROXIED_REGISTRY_HOST = 'registry.imagespec.test';

let e2e: E2e;
let controller: ControllerProcess;
let adminProxy: LoopbackProxy;
let tenantProxy: LoopbackProxy;
let index: ProbeIndex;
const ns = namespaceName('proxies');

function describeFailure(e2eRun: E2e, spec: ImageSpec): string {
  const ready = readyCondition(spec);
  return `phase ${spec.status?.phase}, reason ${ready?.reason}: ${ready?.message} (logs: ${keepBuildLogs(e2eRun, ns, spec)})`;
}

/** The image's configuration as `skopeo inspect --config` prints it. */
function imageConfig(image: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'proxies-auth-'));
  try {
    const authfile = join(dir, 'auth.json');
    writeFileSync(authfile, dockerConfigJson(e2e.node.pushRegistry, e2e.node.pushCredentials), { mode: 0o600 });
    return execFileSync('skopeo', ['inspect', '--config', '--tls-verify=false', '--authfile', authfile, `docker://${image}`], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function proxiedBase(): string {
  const [, port] = e2e.node.baseRegistry.split(':');
  return `${PROXIED_REGISTRY_HOST}:${port}/base/python:3.11-bookworm`;
}

describe('builds behind a proxy', () => {
  before(async () => {
    e2e = await startE2e();
    await createNamespace(e2e.kube, ns);
    [adminProxy, tenantProxy, index] = await Promise.all([startLoopbackProxy([PROXIED_REGISTRY_HOST]), startLoopbackProxy([PROXIED_REGISTRY_HOST]), startProbeIndex([])]);
    const [, port] = e2e.node.baseRegistry.split(':');
    controller = startBuildController(e2e, 'e2e-proxies', [ns], {
      IMAGESPEC_BUILD_HTTP_PROXY: adminProxy.url,
      IMAGESPEC_BUILD_HTTPS_PROXY: adminProxy.url,
      IMAGESPEC_INSECURE_REGISTRIES: `${e2e.node.baseRegistry},${PROXIED_REGISTRY_HOST}:${port}`,
    });
  });

  after(async () => {
    await controller?.stop();
    await Promise.all([adminProxy?.close(), tenantProxy?.close(), index?.close()]);
    if (e2e) await deleteNamespaces(e2e.kube, [ns]);
  });

  test('the admin proxy carries the base image pull and the pip step, and the image keeps no trace of it', async () => {
    const started = Date.now();
    const buildArgs = [{ name: 'PIP_INDEX_URL', value: index.url }];
    await createImageSpec(e2e.kube, ns, imageSpecObject('behind-proxy', { baseImage: proxiedBase(), packages: { pip: [probeProject] }, buildArgs }));
    const spec = await finished(e2e.kube, ns, 'behind-proxy');
    assert.equal(spec.status?.phase, 'Succeeded', describeFailure(e2e, spec));
    process.stderr.write(`[e2e] build through the proxy took ${seconds(Date.now() - started)} s\n`);

    const seen = adminProxy.requests();
    const indexAuthority = new URL(index.url).host;
    assert.ok(seen.some((r) => r.authority.startsWith(`${PROXIED_REGISTRY_HOST}:`) && r.path.includes('/manifests/') && !r.refused), `the base image manifest came through the proxy: ${JSON.stringify(seen.slice(0, 20))}`);
    assert.ok(seen.some((r) => r.authority === indexAuthority && r.path.startsWith('/files/') && !r.refused), 'pip downloaded the package through the proxy');
    assert.ok(index.downloads() >= 1);
    assert.deepEqual(tenantProxy.requests(), [], 'no ImageSpec named the second proxy yet');

    const job = await getJob(e2e.kube, ns, spec.status!.jobName!);
    const pod = await e2e.kube.core.readNamespacedPod({ namespace: ns, name: job.status!.podName! });
    const buildEnv = pod.spec?.initContainers?.find((c) => c.name === 'build')?.env ?? [];
    assert.deepEqual(buildEnv.map((e) => e.name), ['HTTPS_PROXY', 'HTTP_PROXY', 'http_proxy', 'https_proxy']);
    assert.equal(pod.spec?.containers.find((c) => c.name === 'push')?.env, undefined, 'the push step is not proxied');

    // skopeo 1.9 takes a tag or a digest, not both.
    const config = imageConfig(`${spec.status!.image!.replace(/:[^:/]+$/, '')}@${spec.status!.digest!}`);
    assert.match(config, /"history"/, 'skopeo printed the image configuration');
    assert.doesNotMatch(config, /proxy/i, 'no proxy variable or URL in the image configuration or history');
    assert.ok(!config.includes(new URL(adminProxy.url).host), 'the proxy address is not in the image');
  });

  test('an ImageSpec\'s own spec.env proxy replaces the admin\'s for its build', async () => {
    const env = [
      { name: 'HTTP_PROXY', value: tenantProxy.url },
      { name: 'HTTPS_PROXY', value: tenantProxy.url },
    ];
    const adminBefore = adminProxy.requests().length;
    await createImageSpec(e2e.kube, ns, imageSpecObject('own-proxy', { baseImage: proxiedBase(), env }));
    const spec = await finished(e2e.kube, ns, 'own-proxy');
    assert.equal(spec.status?.phase, 'Succeeded', describeFailure(e2e, spec));
    assert.ok(tenantProxy.requests().some((r) => r.authority.startsWith(`${PROXIED_REGISTRY_HOST}:`) && !r.refused), 'the base image came through the ImageSpec\'s proxy');
    assert.equal(adminProxy.requests().length, adminBefore, 'the admin proxy saw nothing of this build');
    const job = await getJob(e2e.kube, ns, spec.status!.jobName!);
    assert.deepEqual(job.spec.env, env, 'the job records the environment its build used');
  });

  test('a variable the admin does not allow fails the ImageSpec with EnvNotAllowed and builds nothing', async () => {
    await createImageSpec(e2e.kube, ns, imageSpecObject('not-allowed', { baseImage: proxiedBase(), env: [{ name: 'PIP_INDEX_URL', value: index.url }] }));
    const spec = await finished(e2e.kube, ns, 'not-allowed', 60_000);
    const ready = readyCondition(spec);
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(ready?.reason, 'EnvNotAllowed');
    assert.match(ready?.message ?? '', /^spec\.env\[0\]\.name: "PIP_INDEX_URL" is not a variable this cluster lets an ImageSpec set \(the administrator allows HTTP_PROXY, HTTPS_PROXY, NO_PROXY/);
    const jobs = await listJobs(e2e.kube, ns);
    assert.deepEqual(jobs.filter((job) => job.spec.imageSpecName === 'not-allowed'), []);
  });
});
