// A tenant of a shared cluster, as a real user of the local cluster with RBAC on: the built-in
// `edit` ClusterRole bound in one namespace only (plus the chart's aggregated ImageSpec roles), every
// request impersonating them. They build in their namespace with their own pull Secret, and every
// route to the registry credential or to another tenant is closed: no Secret of the controller
// exists in their namespace, nothing they can read carries the password, the other namespace
// refuses them, and the upload endpoint takes an image only from the running push step of the
// job's own build Pod.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { EventsV1Api, RbacAuthorizationV1Api, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { API_VERSION, GROUP, IMAGESPECJOB_KIND, IMAGESPECJOB_PLURAL, IMAGESPEC_PLURAL, VERSION, type ImageSpecJob } from '../../api/types.ts';
import { computeRevision } from '../../api/revision.ts';
import { normalizePackages } from '../../api/packages.ts';
import { render } from '../../charts/tests/chart.ts';
import { clusterUp } from '../cluster/cluster.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { credentialForms } from '../credential-forms.ts';
import { waitFor } from '../wait.ts';
import { fetchBuildContext, uploadPortOf } from './build-context.ts';
import { connect, createImageSpec, imageSpecObject, installCrds, startController, type ControllerProcess, type Kube } from './harness.ts';
import * as podStatus from './pod-status-writer.ts';
import { setPodStatus } from './pod-status-writer.ts';

const PASSWORD = 'tenant-push-password-3f9a61';
const USERNAME = 'builder';
const TENANT = 'tenant-alice';
const registryEnv = {
  IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:5000',
  IMAGESPEC_REGISTRY_USERNAME: USERNAME,
  IMAGESPEC_REGISTRY_PASSWORD: PASSWORD,
  IMAGESPEC_REPO_PREFIX: '127.0.0.1:5000/it',
  IMAGESPEC_REGISTRY_INSECURE: 'true',
  // No node may run these Pods: the test plays the kubelet.
  IMAGESPEC_BUILD_NODE_SELECTOR: 'imagespec.dev/integration=no-such-node',
};
const base = { baseImage: '127.0.0.1:5001/base/debian:bookworm', packages: { apt: ['curl'] } };
const CREDENTIAL_FORMS = credentialForms({ username: USERNAME, password: PASSWORD });

const asTenant = setHeaderOptions('Impersonate-User', TENANT);
const ns = { own: '', other: '' };
const release = `tenant-${process.pid}`;
let kube: Kube;
let controller: ControllerProcess;
let uploadPort = 0;

function statusOf(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

/** The API server's answer to a request: resolves the HTTP status of a refusal, fails on success. */
async function refusal(what: string, request: Promise<unknown>): Promise<number | undefined> {
  try {
    await request;
  } catch (error) {
    return statusOf(error);
  }
  assert.fail(`${what} should have been refused`);
}

function assertNoCredential(what: string, value: unknown): void {
  const text = JSON.stringify(value);
  for (const form of CREDENTIAL_FORMS) assert.ok(!text.includes(form), `${what} carries the registry credential`);
}

/**
 * A PUT of a small body as push.sh sends it: `Expect: 100-continue`, the body only once the endpoint
 * says to go on. A refusal is answered before the body, and the connection closes with it; a client
 * that sent the body anyway could lose that answer to the close.
 */
function upload(path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`http://127.0.0.1:${uploadPort}${path}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/x-tar', Expect: '100-continue', 'Content-Length': 1024, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
    request.on('continue', () => request.end(Buffer.alloc(1024)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.flushHeaders();
  });
}

const uploadPathOf = (namespace: string, job: string) => `/v1/namespaces/${namespace}/imagespecjobs/${job}/image`;

/** A service account token the tenant mints in their namespace (edit allows serviceaccounts/token). */
async function tenantToken(options: { audiences?: string[]; pod?: V1Pod; namespace?: string } = {}): Promise<string> {
  const namespace = options.namespace ?? ns.own;
  const pod = options.pod;
  const response = await kube.core.createNamespacedServiceAccountToken(
    {
      name: 'default',
      namespace,
      body: {
        spec: {
          ...(options.audiences ? { audiences: options.audiences } : { audiences: [] }),
          expirationSeconds: 600,
          ...(pod ? { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name!, uid: pod.metadata!.uid! } } : {}),
        },
      },
    },
    asTenant,
  );
  return response.status!.token!;
}

async function buildPodOf(namespace: string): Promise<{ job: ImageSpecJob; pod: V1Pod }> {
  return waitFor(`the build Pod in ${namespace}`, async () => {
    const jobs = (await kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPECJOB_PLURAL })) as { items: ImageSpecJob[] };
    const job = jobs.items[0];
    const pod = job ? (await kube.core.listNamespacedPod({ namespace })).items.find((p) => p.metadata?.name === `${job.metadata.name}-build`) : undefined;
    return job && pod ? { job, pod } : undefined;
  });
}

before(async () => {
  const { kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  kube = connect(kubeconfig);
  await installCrds(kube);
  ns.own = await createNamespace(kube, uniqueNamespaceName('tenant-own'));
  ns.other = await createNamespace(kube, uniqueNamespaceName('tenant-other'));

  // The chart's aggregated roles, under a name of this run, then `edit` for the tenant in one namespace.
  const rbac = kube.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  const objects = await render({ values: { fullnameOverride: release, rbac: { create: false } } });
  for (const role of objects.filter((o) => o.kind === 'ClusterRole')) await rbac.createClusterRole({ body: role as never });
  await rbac.createNamespacedRoleBinding({
    namespace: ns.own,
    body: {
      metadata: { name: 'tenant-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: TENANT }],
    },
  });
  // Aggregation and the namespace's default ServiceAccount arrive within moments.
  await waitFor('the tenant may create ImageSpecs', () =>
    kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.own, plural: IMAGESPEC_PLURAL }, asTenant).then(() => true, () => false),
  );
  await waitFor('the default ServiceAccount', () => kube.core.readNamespacedServiceAccount({ name: 'default', namespace: ns.own }).then(() => true, () => false));

  controller = startController(kubeconfig, { ...registryEnv, IMAGESPEC_NAMESPACES: `${ns.own},${ns.other}` }, 'tenant');
  uploadPort = await uploadPortOf(controller);
});

after(async () => {
  await controller?.stop();
  const rbac = kube.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  for (const suffix of ['edit', 'view']) await rbac.deleteClusterRole({ name: `${release}-${suffix}` }).catch(() => undefined);
  await deleteNamespaces(kube, Object.values(ns));
});

describe('the tenant builds in their own namespace', () => {
  test('with their own pull Secret; the build Pod holds no credential and nothing they can read carries it', async () => {
    await kube.core.createNamespacedSecret(
      {
        namespace: ns.own,
        body: { metadata: { name: 'base-pull' }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } },
      },
      asTenant,
    );
    await kube.custom.createNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: ns.own, plural: IMAGESPEC_PLURAL, body: imageSpecObject('web', { ...base, pullSecret: 'base-pull' }) },
      asTenant,
    );
    const { pod } = await buildPodOf(ns.own);

    // The only Secret the Pod names is the tenant's own; the push step gets a token for the controller only.
    const volumes = pod.spec?.volumes ?? [];
    assert.deepEqual(volumes.filter((v) => v.secret).map((v) => v.secret!.secretName), ['base-pull']);
    const projected = volumes.flatMap((v) => v.projected?.sources ?? []);
    assert.deepEqual(projected.map((s) => s.serviceAccountToken?.audience), ['imagespec-upload']);
    for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      assert.equal(container.env, undefined, `${container.name} has no environment`);
      assert.equal(container.envFrom, undefined, `${container.name} has no environment from Secrets`);
    }

    // Everything the tenant can read in their namespace, the way they would read it.
    const secrets = await kube.core.listNamespacedSecret({ namespace: ns.own }, asTenant);
    assert.deepEqual(secrets.items.map((s) => s.metadata?.name), ['base-pull'], 'no Secret of the controller in the namespace');
    assertNoCredential('Secrets', secrets);
    assertNoCredential('Pods', await kube.core.listNamespacedPod({ namespace: ns.own }, asTenant));
    assertNoCredential('ConfigMaps', await kube.core.listNamespacedConfigMap({ namespace: ns.own }, asTenant));
    assertNoCredential('Events', await kube.kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns.own }, asTenant));
    for (const plural of [IMAGESPEC_PLURAL, IMAGESPECJOB_PLURAL]) {
      assertNoCredential(plural, await kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.own, plural }, asTenant));
    }
  });
});

describe('the tenant reaches nothing else', () => {
  test('another namespace refuses them, and they cannot create an ImageSpecJob even in their own', async () => {
    await createImageSpec(kube, ns.other, imageSpecObject('web', base));
    await buildPodOf(ns.other);
    assert.equal(await refusal('reading Secrets elsewhere', kube.core.listNamespacedSecret({ namespace: ns.other }, asTenant)), 403);
    assert.equal(await refusal('reading Secrets cluster-wide', kube.core.listSecretForAllNamespaces({}, asTenant)), 403);
    assert.equal(await refusal('reading Pods elsewhere', kube.core.listNamespacedPod({ namespace: ns.other }, asTenant)), 403);
    assert.equal(
      await refusal('creating an ImageSpec elsewhere', kube.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.other, plural: IMAGESPEC_PLURAL, body: imageSpecObject('mine', base) }, asTenant)),
      403,
    );
    assert.equal(await refusal('a token of another namespace', tenantToken({ namespace: ns.other, audiences: ['imagespec-upload'] })), 403);
    const job = {
      apiVersion: API_VERSION,
      kind: IMAGESPECJOB_KIND,
      metadata: { name: 'forged' },
      spec: { imageSpecName: 'web', revision: computeRevision(base), baseImage: base.baseImage, packages: normalizePackages(base.packages), targetImage: `127.0.0.1:5000/it/${ns.other}/web:latest` },
    };
    assert.equal(
      await refusal('creating an ImageSpecJob', kube.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.own, plural: IMAGESPECJOB_PLURAL, body: job }, asTenant)),
      403,
    );
  });
});

describe('the upload endpoint takes an image only from the running push step of the job\'s build Pod', () => {
  test('every other caller is refused before a byte of the image is read', async () => {
    const own = await buildPodOf(ns.own);
    const other = await buildPodOf(ns.other);
    const ownPath = uploadPathOf(ns.own, own.job.metadata.name!);

    const anonymous = await upload(ownPath);
    assert.equal(anonymous.status, 401, anonymous.body);

    // A token for the API server, not for the upload endpoint.
    const apiToken = await tenantToken({ pod: own.pod });
    assert.equal((await upload(ownPath, apiToken)).status, 401);

    // A Pod of the tenant's own, not the build Pod.
    const decoy = await kube.core.createNamespacedPod(
      {
        namespace: ns.own,
        body: {
          metadata: { name: 'decoy' },
          spec: { nodeSelector: { 'imagespec.dev/integration': 'no-such-node' }, containers: [{ name: 'c', image: '127.0.0.1:5001/base/debian:bookworm' }] },
        },
      },
      asTenant,
    );
    const decoyAnswer = await upload(ownPath, await tenantToken({ pod: decoy, audiences: ['imagespec-upload'] }));
    assert.equal(decoyAnswer.status, 403, decoyAnswer.body);
    assert.match(decoyAnswer.body, /the token belongs to another Pod/);

    // The tenant's token bound to their own build Pod, sent to the other tenant's job.
    const boundToBuild = await tenantToken({ pod: own.pod, audiences: ['imagespec-upload'] });
    const elsewhere = await upload(uploadPathOf(ns.other, other.job.metadata.name!), boundToBuild);
    assert.equal(elsewhere.status, 403, elsewhere.body);
    assert.match(elsewhere.body, new RegExp(`not a Pod's token from namespace ${ns.other}`));

    // The build context: only to the job's own build Pod, whatever its step; nothing of the other tenant's.
    const contextWith = (namespace: string, job: string, token?: string) => fetchBuildContext(uploadPort, namespace, job, token);
    assert.equal((await contextWith(ns.own, own.job.metadata.name!)).status, 401);
    const decoyContext = await contextWith(ns.own, own.job.metadata.name!, await tenantToken({ pod: decoy, audiences: ['imagespec-upload'] }));
    assert.equal(decoyContext.status, 403, JSON.stringify(decoyContext));
    const ownContext = await contextWith(ns.own, own.job.metadata.name!, boundToBuild);
    assert.equal(ownContext.status, 200, JSON.stringify(ownContext));
    assert.match(ownContext.files['Dockerfile'] ?? '', /^FROM /m);
    assertNoCredential('the build context', ownContext.files);
    const otherContext = await contextWith(ns.other, other.job.metadata.name!, boundToBuild);
    assert.equal(otherContext.status, 403, JSON.stringify(otherContext));
    assert.match(otherContext.files[''] ?? '', new RegExp(`not a Pod's token from namespace ${ns.other}`));

    // Their own build Pod's token before its push step runs (the endpoint waits a while for the
    // kubelet to report it, then asks to try again), and once the job is over.
    const early = await upload(ownPath, boundToBuild);
    assert.equal(early.status, 503, early.body);
    assert.match(early.body, /push step .* is not reported running yet/);
    await setPodStatus(kube, ns.own, own.pod.metadata!.name!, podStatus.succeeded(`sha256:${'e'.repeat(64)}`));
    await waitFor('the job Succeeded', async () => {
      const jobs = (await kube.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.own, plural: IMAGESPECJOB_PLURAL })) as { items: ImageSpecJob[] };
      return jobs.items[0]?.status?.phase === 'Succeeded';
    });
    const late = await upload(ownPath, boundToBuild);
    assert.equal(late.status, 409, late.body);
    assert.match(late.body, /finished or cancelled/);
    assert.equal((await fetchBuildContext(uploadPort, ns.own, own.job.metadata.name!, boundToBuild)).status, 409, 'no context for a finished job');

    for (const answer of [decoyAnswer, elsewhere, early, late]) assertNoCredential('an upload refusal', answer.body);
    for (const answer of [decoyContext, otherContext]) assertNoCredential('a context refusal', answer.files);
  });
});

test('the password appears in no line of the controller\'s log', () => {
  const log = readFileSync(controller.logFile, 'utf8');
  for (const form of CREDENTIAL_FORMS) assert.ok(!log.includes(form));
  assert.match(log, /Refused image upload/);
});
