// Tenancy, against the real API server: images go to the namespace's own path, a forged
// ImageSpecJob makes the controller build nothing, and the chart's admission policy refuses
// ImageSpecJobs from anyone but the controller. (tenant.integration.test.ts acts as a tenant.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AdmissionregistrationV1Api, RbacAuthorizationV1Api, setHeaderOptions, type V1ValidatingAdmissionPolicy, type V1ValidatingAdmissionPolicyBinding } from '@kubernetes/client-node';
import { API_VERSION, GROUP, IMAGESPECJOB_KIND, IMAGESPECJOB_PLURAL, LABEL_MANAGED_BY, MANAGED_BY, VERSION, type ImageSpecJob } from '../../api/types.ts';
import { jobName, targetImage } from '../../api/names.ts';
import { computeRevision, shortRevision } from '../../api/revision.ts';
import { normalizePackages } from '../../api/packages.ts';
import { render } from '../../charts/tests/chart.ts';
import { clusterUp } from '../cluster/cluster.ts';
import * as podStatus from './pod-status-writer.ts';
import { setPodStatus } from './pod-status-writer.ts';
import {
  connect,
  createImageSpec,
  getImageSpec,
  getJob,
  imageSpecObject,
  installCrds,
  listJobs,
  listPods,
  mergePatch,
  startController,
  type ControllerProcess,
  type Kube,
} from './harness.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { waitFor } from '../wait.ts';

const PASSWORD = 'tenancy-push-password-8d41e7';
const registry = { endpoint: '127.0.0.1:5000', repoPrefix: '127.0.0.1:5000/it', insecure: true };
const registryEnv = {
  IMAGESPEC_REGISTRY_ENDPOINT: registry.endpoint,
  IMAGESPEC_REGISTRY_USERNAME: 'builder',
  IMAGESPEC_REGISTRY_PASSWORD: PASSWORD,
  IMAGESPEC_REPO_PREFIX: registry.repoPrefix,
  IMAGESPEC_REGISTRY_INSECURE: 'true',
  // No node may run these Pods: the test plays the kubelet.
  IMAGESPEC_BUILD_NODE_SELECTOR: 'imagespec.dev/integration=no-such-node',
};

const base = { baseImage: '127.0.0.1:5001/base/debian:bookworm', packages: { apt: ['curl'] } };
const digest = `sha256:${'c'.repeat(64)}`;
const NOT_CREATED = /^This ImageSpecJob was not created by the controller from an ImageSpec: /;

let kube: Kube;
let kubeconfig: string;
let controller: ControllerProcess;
/** Namespaces the controller watches; `unwatched` holds the admission policy's checks. */
const ns = { teamA: '', teamB: '', forged: '', owned: '', unwatched: '' };

function describeRefusal(error: unknown): string {
  const e = error as { code?: number; body?: unknown };
  return `${e.code} ${typeof e.body === 'string' ? e.body : JSON.stringify(e.body)}`;
}

function createJob(namespace: string, body: object, options?: ReturnType<typeof setHeaderOptions>): Promise<ImageSpecJob> {
  return kube.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: IMAGESPECJOB_PLURAL, body }, options) as Promise<ImageSpecJob>;
}

function jobBody(name: string, spec: Partial<ImageSpecJob['spec']>, ownerReferences?: object[]): object {
  return {
    apiVersion: API_VERSION,
    kind: IMAGESPECJOB_KIND,
    metadata: { name, ...(ownerReferences ? { ownerReferences } : {}) },
    spec: {
      imageSpecName: 'web',
      revision: computeRevision(base),
      baseImage: base.baseImage,
      packages: normalizePackages(base.packages),
      targetImage: `${registry.repoPrefix}/victim-team/web:latest`,
      ...spec,
    },
  };
}

async function jobWhere(namespace: string, name: string, what: string, check: (job: ImageSpecJob) => boolean): Promise<ImageSpecJob> {
  return waitFor(`ImageSpecJob ${name}: ${what}`, async () => {
    const job = await getJob(kube, namespace, name);
    return check(job) ? job : undefined;
  });
}

/** Nothing a build needs was created in the namespace: no Pod, no build ConfigMap, no Secret. */
async function assertNothingBuilt(namespace: string): Promise<void> {
  assert.deepEqual((await listPods(kube, namespace)).map((p) => p.metadata?.name), [], 'no Pod');
  const configMaps = await kube.core.listNamespacedConfigMap({ namespace, labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}` });
  assert.deepEqual(configMaps.items.map((c) => c.metadata?.name), [], 'no build ConfigMap');
  const secrets = await kube.core.listNamespacedSecret({ namespace });
  assert.deepEqual(secrets.items.map((s) => s.metadata?.name), [], 'no Secret');
}

async function refusedJob(namespace: string, name: string, reason: string): Promise<ImageSpecJob> {
  const job = await jobWhere(namespace, name, `Failed ${reason}`, (j) => j.status?.phase === 'Failed');
  assert.equal(job.status?.reason, reason, job.status?.message ?? '');
  assert.match(job.status?.message ?? '', NOT_CREATED);
  assert.equal(job.status?.conditions?.find((c) => c.type === 'Succeeded')?.reason, reason);
  return job;
}

before(async () => {
  ({ kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) }));
  kube = connect(kubeconfig);
  await installCrds(kube);
  for (const key of Object.keys(ns) as (keyof typeof ns)[]) ns[key] = await createNamespace(kube, uniqueNamespaceName(`tenancy-${key.toLowerCase()}`));
  const watched = Object.entries(ns).filter(([key]) => key !== 'unwatched').map(([, name]) => name);
  controller = startController(kubeconfig, { ...registryEnv, IMAGESPEC_NAMESPACES: watched.join(',') }, 'tenancy');
});

after(async () => {
  await controller?.stop();
  await deleteNamespaces(kube, Object.values(ns));
});

describe('image paths contain the namespace', () => {
  test('two namespaces with an ImageSpec of the same name build to different repositories', async () => {
    // team-b's pulls need a Secret of its own: the existence check reads only its metadata.
    await kube.core.createNamespacedSecret({
      namespace: ns.teamB,
      body: { metadata: { name: 'base-pull' }, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } },
    });
    await createImageSpec(kube, ns.teamA, imageSpecObject('web', base));
    await createImageSpec(kube, ns.teamB, imageSpecObject('web', { ...base, pullSecret: 'base-pull' }));
    const rev12 = shortRevision(computeRevision(base));
    const jobs = await Promise.all(
      [ns.teamA, ns.teamB].map((namespace) => waitFor(`the job in ${namespace}`, async () => (await listJobs(kube, namespace))[0])),
    );
    assert.deepEqual(
      jobs.map((job) => job.spec.targetImage),
      [`127.0.0.1:5000/it/${ns.teamA}/web:${rev12}`, `127.0.0.1:5000/it/${ns.teamB}/web:${rev12}`],
    );
    assert.equal(jobs[1]!.spec.pullSecret, 'base-pull');

    const pod = await waitFor('the build Pod in team-a', async () => (await listPods(kube, ns.teamA))[0]);
    await setPodStatus(kube, ns.teamA, pod.metadata!.name!, podStatus.succeeded(digest));
    const built = await waitFor('team-a\'s ImageSpec Succeeded', async () => {
      const spec = await getImageSpec(kube, ns.teamA, 'web');
      return spec.status?.phase === 'Succeeded' ? spec : undefined;
    });
    assert.equal(built.status?.image, `127.0.0.1:5000/it/${ns.teamA}/web:${rev12}`);
    assert.equal(built.status?.digest, digest);
  });
});

describe('a forged ImageSpecJob makes the controller build nothing', () => {
  test('a job created directly, with a target outside its namespace and another Secret, ends Failed NotControlled', async () => {
    const forgedTarget = `${registry.repoPrefix}/victim-team/web:latest`;
    const created = await createJob(ns.forged, jobBody('forged', { targetImage: forgedTarget, pullSecret: 'victim-db-credentials' }));
    const job = await refusedJob(ns.forged, 'forged', 'NotControlled');
    assert.match(job.status?.message ?? '', /no controller ownerReference to an ImageSpec/);
    for (const forged of ['victim-team', 'victim-db-credentials']) assert.ok(!job.status!.message!.includes(forged), job.status!.message!);
    assert.deepEqual(job.spec, created.spec, 'the spec is as written');
    assert.deepEqual(job.metadata.annotations, created.metadata.annotations);
    assert.deepEqual(job.metadata.labels, created.metadata.labels);
    await assertNothingBuilt(ns.forged);
    assert.equal(controller.child.exitCode, null, 'the controller keeps running');
  });

  test('a job with a genuine ownerReference to an ImageSpec but a forged target is refused the same way', async () => {
    // While its pull Secret is missing, the ImageSpec has no job of its own.
    const owner = await createImageSpec(kube, ns.owned, imageSpecObject('web', { ...base, pullSecret: 'arrives-later' }));
    await waitFor('PullSecretNotFound', async () => (await getImageSpec(kube, ns.owned, 'web')).status?.conditions?.[0]?.reason === 'PullSecretNotFound');
    const ownerReferences = [{ apiVersion: API_VERSION, kind: 'ImageSpec', name: 'web', uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }];
    const revision = computeRevision(base);
    const name = jobName('web', revision);
    const forgedTarget = `${registry.repoPrefix}/victim-team/web:${shortRevision(revision)}`;
    await createJob(ns.owned, jobBody(name, { targetImage: forgedTarget, pullSecret: 'arrives-later' }, ownerReferences));
    const job = await refusedJob(ns.owned, name, 'NotControlled');
    assert.match(job.status?.message ?? '', /spec\.targetImage is not the image the controller's configuration derives for ImageSpec web/);
    assert.ok(!job.status!.message!.includes('victim-team'), job.status!.message!);
    await assertNothingBuilt(ns.owned);

  });
});

describe('the chart\'s admission policy, on the real API server', () => {
  const release = `tenancy-${process.pid}`;
  let admission: AdmissionregistrationV1Api;
  let policy: V1ValidatingAdmissionPolicy;
  let binding: V1ValidatingAdmissionPolicyBinding;
  let controllerUser: string;

  before(async () => {
    admission = kube.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    // Rendered for this namespace only, under a name of its own: nothing else in the cluster is affected.
    const objects = await render({ values: { fullnameOverride: release, watchNamespaces: [ns.unwatched], rbac: { create: false } } });
    policy = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy') as unknown as V1ValidatingAdmissionPolicy;
    binding = objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding') as unknown as V1ValidatingAdmissionPolicyBinding;
    const serviceAccount = objects.find((o) => o.kind === 'ServiceAccount')!;
    controllerUser = `system:serviceaccount:${serviceAccount.metadata.namespace}:${serviceAccount.metadata.name}`;
    await admission.createValidatingAdmissionPolicy({ body: policy });
    await admission.createValidatingAdmissionPolicyBinding({ body: binding });
    // The controller's rights on ImageSpecJobs here, as the chart's Role would grant them.
    const rbac = kube.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns.unwatched,
      body: { metadata: { name: 'imagespecjobs' }, rules: [{ apiGroups: [GROUP], resources: [IMAGESPECJOB_PLURAL], verbs: ['create', 'get', 'patch'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns.unwatched,
      body: {
        metadata: { name: 'imagespecjobs' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'imagespecjobs' },
        subjects: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: serviceAccount.metadata.namespace }],
      },
    });
  });

  after(async () => {
    await admission?.deleteValidatingAdmissionPolicyBinding({ name: binding.metadata!.name! }).catch(() => undefined);
    await admission?.deleteValidatingAdmissionPolicy({ name: policy.metadata!.name! }).catch(() => undefined);
  });

  test('anyone but the controller is refused; the controller creates, and others may still write status and metadata', async () => {
    // A new policy takes effect within moments: until then a create passes, and is undone.
    let attempt = 0;
    const refused = await waitFor('the policy to refuse a create', async () => {
      attempt += 1;
      const name = `forged-${attempt}`;
      try {
        await createJob(ns.unwatched, jobBody(name, {}));
      } catch (error) {
        return describeRefusal(error);
      }
      await kube.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns.unwatched, plural: IMAGESPECJOB_PLURAL, name });
      return undefined;
    }, 30_000, 200);
    assert.match(refused, /^403 /);
    assert.match(refused, /ImageSpecJobs are created only by the imagespec controller/);
    assert.ok(refused.includes(controllerUser), refused);

    const asController = setHeaderOptions('Impersonate-User', controllerUser);
    const created = await createJob(ns.unwatched, jobBody('by-controller', { targetImage: targetImage(registry, ns.unwatched, 'web', computeRevision(base)) }), asController);
    assert.equal(created.metadata.name, 'by-controller');

    // The status subresource is not matched; a metadata-only change keeps the spec.
    await kube.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: ns.unwatched, plural: IMAGESPECJOB_PLURAL, name: 'by-controller', body: { status: { phase: 'Pending' } } },
      mergePatch(),
    );
    await kube.custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: ns.unwatched, plural: IMAGESPECJOB_PLURAL, name: 'by-controller', body: { metadata: { labels: { team: 'a' } } } },
      mergePatch(),
    );
    const updated = await getJob(kube, ns.unwatched, 'by-controller');
    assert.equal(updated.status?.phase, 'Pending');
    assert.equal(updated.metadata.labels?.['team'], 'a');

    // Outside the bound namespaces the policy does not apply.
    const elsewhere = await createJob(ns.forged, jobBody('not-bound-here', {}));
    assert.equal(elsewhere.metadata.name, 'not-bound-here');
  });
});

test('the password appears in no log line', () => {
  assert.ok(!controller.logs().includes(PASSWORD));
});
