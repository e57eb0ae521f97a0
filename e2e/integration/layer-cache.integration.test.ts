// The layer cache's registry API at the build endpoint, against the real API server: who it lets
// in is decided by TokenReview and the Pod the token is bound to. No registry answers here (the
// node's registries are not started), so a request let through ends 502 from the registry's side:
// what matters is which requests get that far.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { clusterUp } from '../cluster/cluster.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { waitFor } from '../wait.ts';
import { fetchBuildContext, podBoundToken, uploadPortOf } from './build-context.ts';
import { connect, createImageSpec, imageSpecObject, installCrds, listPods, startController, type ControllerProcess, type Kube } from './harness.ts';

let kube: Kube;
let controller: ControllerProcess;
const ns = { own: '', other: '' };
let port = 0;
let pod: V1Pod;

before(async () => {
  const { kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  kube = connect(kubeconfig);
  await installCrds(kube);
  ns.own = await createNamespace(kube, uniqueNamespaceName('cache-own'));
  ns.other = await createNamespace(kube, uniqueNamespaceName('cache-other'));
  controller = startController(
    kubeconfig,
    {
      // Nothing listens here: a request let through ends 502.
      IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:9',
      IMAGESPEC_REPO_PREFIX: '127.0.0.1:9/it',
      IMAGESPEC_REGISTRY_INSECURE: 'true',
      IMAGESPEC_BUILD_REGISTRY_CACHE: 'true',
      IMAGESPEC_NAMESPACES: `${ns.own},${ns.other}`,
      IMAGESPEC_BUILD_NODE_SELECTOR: 'imagespec.dev/integration=no-such-node',
    },
    'layer-cache',
  );
  port = await uploadPortOf(controller);
  await createImageSpec(kube, ns.own, imageSpecObject('web', { baseImage: '127.0.0.1:5001/base/debian:bookworm', packages: { apt: ['curl'] } }));
  pod = await waitFor('the build Pod', async () => (await listPods(kube, ns.own))[0]);
});

after(async () => {
  await controller?.stop();
  await deleteNamespaces(kube, [ns.own, ns.other].filter(Boolean));
});

async function ask(method: string, path: string, token?: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = token ? { Authorization: `Basic ${Buffer.from(`imagespec-build:${token}`).toString('base64')}` } : {};
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers });
  return { status: response.status, body: await response.text() };
}

test('the build Pod carries a cache token in its build step only, and its build context names the cache', async () => {
  const build = pod.spec!.initContainers!.find((c) => c.name === 'build')!;
  assert.ok(build.volumeMounts?.some((m) => m.name === 'cache-token'));
  const token = pod.spec!.volumes!.find((v) => v.name === 'cache-token')?.projected?.sources?.[0]?.serviceAccountToken;
  assert.equal(token?.audience, 'imagespec-cache');
  const job = pod.metadata!.labels!['imagespec.dev/imagespecjob']!;
  const context = await fetchBuildContext(port, ns.own, job, await podBoundToken(kube, pod));
  assert.equal(context.status, 200, JSON.stringify(context.files));
  assert.match(context.files['build.sh'] ?? '', new RegExp(`^cache_repository='127\\.0\\.0\\.1:${port}/${ns.own}/build_cache'$`, 'm'));
  assert.match(context.files['registries.conf'] ?? '', new RegExp(`location = "127\\.0\\.0\\.1:${port}"\\ninsecure = true`));
});

test('the build Pod\'s cache token opens its namespace\'s cache and nothing else', async () => {
  const token = await podBoundToken(kube, pod, 'imagespec-cache');
  assert.equal((await ask('GET', '/v2/', token)).status, 200);
  const own = await ask('HEAD', `/v2/${ns.own}/build_cache/manifests/0123abcd`, token);
  assert.equal(own.status, 502, 'let through to the registry, which does not answer here');
  const other = await ask('GET', `/v2/${ns.other}/build_cache/manifests/0123abcd`, token);
  assert.equal(other.status, 403);
  assert.match(other.body, /may use only its own namespace's layer cache/);
  assert.equal((await ask('GET', `/v2/${ns.own}/web/manifests/latest`, token)).status, 404);
  assert.equal((await ask('GET', '/v2/_catalog', token)).status, 404);
  assert.equal((await ask('DELETE', `/v2/${ns.own}/build_cache/manifests/sha256:${'a'.repeat(64)}`, token)).status, 405);
});

test('no token, the upload token, and a token of a Pod that is no build Pod are refused', async () => {
  const none = await ask('GET', `/v2/${ns.own}/build_cache/manifests/0123abcd`);
  assert.equal(none.status, 401);
  const upload = await ask('GET', `/v2/${ns.own}/build_cache/manifests/0123abcd`, await podBoundToken(kube, pod, 'imagespec-upload'));
  assert.equal(upload.status, 401);
  // A Pod a tenant makes, with the cache's audience: it is not controlled by an ImageSpecJob.
  const imposter = await kube.core.createNamespacedPod({
    namespace: ns.own,
    body: {
      metadata: { name: 'imposter', labels: { 'app.kubernetes.io/managed-by': 'imagespec-controller' } },
      spec: { nodeSelector: { 'imagespec.dev/integration': 'no-such-node' }, containers: [{ name: 'c', image: '127.0.0.1:5001/imagespec/pause:1' }] },
    },
  });
  const refused = await ask('GET', `/v2/${ns.own}/build_cache/manifests/0123abcd`, await podBoundToken(kube, imposter, 'imagespec-cache'));
  assert.equal(refused.status, 403);
  assert.match(refused.body, /not one of namespace .*'s build Pods/);
});
