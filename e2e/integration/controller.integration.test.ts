// The integration suite: the real controller against a real API server, etcd and garbage
// collector (the local cluster). Every check asserts cluster state within a bounded wait.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import type { V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_CANCEL, GROUP, IMAGESPECJOB_PLURAL, VERSION, type ImageSpec, type ImageSpecJob } from '../../api/types.ts';
import { computeRevision, shortRevision } from '../../api/revision.ts';
import { normalizePackages } from '../../api/packages.ts';
import { configMapFiles, contextDigest } from '../../api/configmap-context.ts';
import { plain } from '../../controllers/runtime/kube.ts';
import { clusterUp } from '../cluster/cluster.ts';
import { ADMISSION_REFUSALS, ADMITTED_PIP, causesOf } from './admission-cases.ts';
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
  patchImageSpec,
  startController,
  type ControllerProcess,
  type Kube,
} from './harness.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { waitFor } from '../wait.ts';
import { fetchBuildContext, podBoundToken, uploadPortOf } from './build-context.ts';

const PASSWORD = 'it-push-password-5f2c9a';
const registryEnv = {
  IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:5000',
  IMAGESPEC_REGISTRY_USERNAME: 'builder',
  IMAGESPEC_REGISTRY_PASSWORD: PASSWORD,
  IMAGESPEC_REPO_PREFIX: '127.0.0.1:5000/it',
  IMAGESPEC_REGISTRY_INSECURE: 'true',
  IMAGESPEC_HISTORY_SUCCEEDED: '2',
  IMAGESPEC_HISTORY_FAILED: '1',
  IMAGESPEC_BUILD_TIMEOUT_SECONDS: '900',
  // No node may run these Pods: the test plays the kubelet.
  IMAGESPEC_BUILD_NODE_SELECTOR: 'imagespec.dev/integration=no-such-node',
};

const base = { baseImage: '127.0.0.1:5001/base/debian:bookworm', packages: { apt: ['curl'], pip: ['requests[socks]==2.32.3', 'numpy>=1.26,<2'] } };
const digestOf = (c: string) => `sha256:${c.repeat(64)}`;
/** Where the build Pod carries each build context file. */

let kube: Kube;
let kubeconfig: string;
let controller: ControllerProcess;
const namespaces: string[] = [];

async function namespace(prefix: string): Promise<string> {
  const ns = await createNamespace(kube, uniqueNamespaceName(prefix));
  namespaces.push(ns);
  return ns;
}

async function jobsOf(ns: string, imageSpec: string): Promise<ImageSpecJob[]> {
  return (await listJobs(kube, ns)).filter((j) => j.spec.imageSpecName === imageSpec);
}

async function podFor(ns: string, job: ImageSpecJob): Promise<V1Pod> {
  return waitFor(`Pod of ${job.metadata.name}`, async () => (await listPods(kube, ns)).find((p) => p.metadata?.labels?.['imagespec.dev/imagespecjob'] === job.metadata.name));
}

async function oneJob(ns: string, name: string): Promise<ImageSpecJob> {
  return waitFor(`one ImageSpecJob for ${name}`, async () => {
    const jobs = await jobsOf(ns, name);
    return jobs.length === 1 ? jobs[0] : undefined;
  });
}

async function imageSpecWhere(ns: string, name: string, what: string, check: (s: ImageSpec) => boolean, timeoutMs = 30_000): Promise<ImageSpec> {
  return waitFor(`ImageSpec ${name}: ${what}`, async () => {
    const spec = await getImageSpec(kube, ns, name);
    return check(spec) ? spec : undefined;
  }, timeoutMs);
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: number; body?: unknown };
    return `${e.code} ${typeof e.body === 'string' ? e.body : JSON.stringify(e.body)}`;
  }
  assert.fail('the API server accepted an invalid object');
}

before(async () => {
  ({ kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) }));
  kube = connect(kubeconfig);
  await installCrds(kube);
  controller = startController(kubeconfig, registryEnv, 'integration');
});

after(async () => {
  await controller?.stop();
  await deleteNamespaces(kube, namespaces);
});

describe('1. the API server enforces the CRD schema', () => {
  test('invalid ImageSpecs are rejected with the field path', async () => {
    const ns = await namespace('schema');
    const hostile = await rejection(createImageSpec(kube, ns, imageSpecObject('hostile', { baseImage: 'debian:bookworm', packages: { pip: ['numpy', 'pkg; rm -rf /'] } })));
    assert.match(hostile, /^422 /);
    assert.match(hostile, /spec\.packages\.pip\[1\]/);
    const option = await rejection(createImageSpec(kube, ns, imageSpecObject('option', { baseImage: 'debian:bookworm', packages: { apt: ['-o=Dpkg::Options::=--force-all'] } })));
    assert.match(option, /spec\.packages\.apt\[0\]/);
    const badImage = await rejection(createImageSpec(kube, ns, imageSpecObject('badimage', { baseImage: 'Not An Image!' })));
    assert.match(badImage, /spec\.baseImage/);
    const missing = await rejection(createImageSpec(kube, ns, { apiVersion: `${GROUP}/${VERSION}`, kind: 'ImageSpec', metadata: { name: 'missing' }, spec: { packages: {} } }));
    assert.match(missing, /"field":"spec"/);
    assert.match(missing, /must set exactly one of baseImage and build/);
    const both = await rejection(createImageSpec(kube, ns, imageSpecObject('both', { baseImage: 'debian:bookworm', build: { context: { configMap: { name: 'ctx' } } } })));
    assert.match(both, /must set exactly one of baseImage and build/);
    const outside = await rejection(createImageSpec(kube, ns, imageSpecObject('outside', { build: { context: { configMap: { name: 'ctx' } }, dockerfile: '../Dockerfile' } })));
    assert.match(outside, /spec\.build\.dockerfile.*must not have a \. or \.\. component/);
  });

  test('each refusal names the field and says why in a sentence, never with a regular expression', async () => {
    const ns = await namespace('admission');
    for (const refusal of ADMISSION_REFUSALS) {
      const error = await createImageSpec(kube, ns, imageSpecObject(refusal.name, refusal.spec)).then(
        () => assert.fail(`the API server accepted ${refusal.name}`),
        (e: unknown) => e,
      );
      assert.equal((error as { code?: number }).code, 422, refusal.name);
      const causes = causesOf(error);
      const cause = causes.find((c) => c.field === refusal.field);
      assert.ok(cause, `${refusal.name}: no cause for ${refusal.field} in ${JSON.stringify(causes)}`);
      assert.ok(cause.message.includes(refusal.sentence), `${refusal.name}: ${JSON.stringify(cause.message)} lacks ${JSON.stringify(refusal.sentence)}`);
      if (refusal.value !== undefined) assert.ok(cause.message.startsWith(`Invalid value: ${JSON.stringify(refusal.value)}: `), cause.message);
      for (const { message } of causes) assert.ok(!/\(\?:|\\x20|should match/.test(message), `${refusal.name}: a pattern in ${message}`);
    }
  });

  test('pip requirements with spaces around operators and environment markers are admitted and built in canonical form', async () => {
    const ns = await namespace('markers');
    await createImageSpec(kube, ns, imageSpecObject('markers', { baseImage: base.baseImage, packages: { pip: ADMITTED_PIP } }));
    const job = await oneJob(ns, 'markers');
    assert.deepEqual(job.spec.packages.pip, normalizePackages({ pip: ADMITTED_PIP }).pip);
  });

  test('an ImageSpecJob spec cannot be edited', async () => {
    const ns = await namespace('immutable');
    await createImageSpec(kube, ns, imageSpecObject('frozen', base));
    const job = await oneJob(ns, 'frozen');
    const refused = await rejection(
      kube.custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: ns, plural: IMAGESPECJOB_PLURAL, name: job.metadata.name!, body: { spec: { baseImage: 'debian:trixie' } } },
        mergePatch(),
      ),
    );
    assert.match(refused, /^422 /);
    assert.match(refused, /immutable/);
  });
});

describe('2-3. one revision, one job, one Pod; status flows back by watch', () => {
  test('a new ImageSpec gets exactly one ImageSpecJob and one Pod of the designed shape, whose first step fetches its build context from the controller', async () => {
    const ns = await namespace('create');
    const created = await createImageSpec(kube, ns, imageSpecObject('web', base));
    const revision = computeRevision(base);
    const job = await oneJob(ns, 'web');
    assert.equal(job.metadata.name, `web-${shortRevision(revision)}`);
    assert.equal(job.spec.revision, revision);
    assert.equal(job.metadata.labels?.['imagespec.dev/imagespec'], 'web');
    assert.equal(job.metadata.labels?.['imagespec.dev/revision'], shortRevision(revision));
    assert.equal(job.metadata.ownerReferences?.[0]?.uid, created.metadata.uid);
    assert.equal(job.metadata.ownerReferences?.[0]?.controller, true);
    assert.equal(job.spec.targetImage, `127.0.0.1:5000/it/${ns}/web:${shortRevision(revision)}`);

    // Plain JSON, as the API server sent it: client-node's model classes are not plain objects.
    const pod = plain(await podFor(ns, job));
    assert.equal((await listPods(kube, ns)).length, 1);
    // The Pod carries no context: its first step fetches it from the controller, which renders it
    // for the job and gives it only to a token bound to the job's build Pod. No ConfigMap
    // (kube-root-ca.crt is the namespace's own).
    assert.deepEqual(pod.metadata?.annotations, { 'imagespec.dev/revision': revision });
    const { managedFields: _, ...metadataOfOurOwn } = pod.metadata ?? {};
    const podBytes = Buffer.byteLength(JSON.stringify({ ...pod, metadata: metadataOfOurOwn }));
    assert.ok(podBytes < 8 * 1024, `the build Pod is ${podBytes} bytes without the API server's managedFields`);
    const port = await uploadPortOf(controller);
    const { status, files: context } = await fetchBuildContext(port, ns, job.metadata.name!, await podBoundToken(kube, pod));
    assert.equal(status, 200, JSON.stringify(context));
    const files = ['Dockerfile', 'apt.txt', 'build.sh', 'policy.json', 'push.sh', 'registries.conf', 'requirements.txt'];
    assert.deepEqual(Object.keys(context).sort(), files);
    assert.equal(context['apt.txt'], 'curl\n');
    assert.equal(context['requirements.txt'], normalizePackages(base.packages).pip.map((line) => `${line}\n`).join(''));
    assert.match(context['Dockerfile'] ?? '', /^FROM 127\.0\.0\.1:5001\/base\/debian:bookworm$/m);
    assert.match(context['push.sh'] ?? '', new RegExp(`^upload_url='http://127\\.0\\.0\\.1:${port}/v1/namespaces/${ns}/imagespecjobs/${job.metadata.name}/image'$`, 'm'));
    assert.ok(!JSON.stringify(context).includes(PASSWORD), 'the password must not appear in the build context');
    assert.equal((await fetchBuildContext(port, ns, job.metadata.name!)).status, 401, 'no token, no context');
    const contextVolume = pod.spec?.volumes?.find((v) => v.name === 'context');
    assert.deepEqual(contextVolume?.emptyDir, {});
    const configMaps = (await kube.core.listNamespacedConfigMap({ namespace: ns })).items.map((c) => c.metadata?.name);
    assert.deepEqual(configMaps.filter((name) => name !== 'kube-root-ca.crt'), [], 'no ConfigMap is created');
    assert.equal(pod.metadata?.ownerReferences?.[0]?.uid, job.metadata.uid);
    assert.equal(pod.spec?.restartPolicy, 'Never');
    assert.equal(pod.spec?.activeDeadlineSeconds, 900);
    const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    for (const c of all) assert.notEqual(c.securityContext?.privileged, true, `${c.name} must not be privileged`);
    for (const c of all) {
      const writable = c.name === 'context';
      assert.deepEqual(c.volumeMounts?.find((m) => m.name === 'context'), { name: 'context', mountPath: '/imagespec/context', ...(writable ? {} : { readOnly: true }) }, c.name);
    }
    assert.deepEqual(pod.spec?.volumes?.filter((v) => v.secret), [], 'the Pod references no Secret');
    const tokenVolume = pod.spec?.volumes?.find((v) => v.projected?.sources?.some((s) => s.serviceAccountToken?.audience === 'imagespec-upload'));
    assert.ok(tokenVolume, 'the upload token is a projected volume');
    const mounting = all.filter((c) => c.volumeMounts?.some((m) => m.name === tokenVolume.name)).map((c) => c.name);
    assert.deepEqual(mounting, ['context', 'push'], 'only the steps that talk to the controller have the upload token');
    assert.deepEqual((await kube.core.listNamespacedSecret({ namespace: ns })).items.map((s) => s.metadata?.name), [], 'no Secret is created in the namespace');
    const everything = JSON.stringify([pod, job]);
    assert.ok(!everything.includes(PASSWORD), 'the password must not appear in the Pod (its build context included) or the job');
    assert.ok(!everything.includes(Buffer.from(`builder:${PASSWORD}`).toString('base64')), 'nor its base64 form');
  });

  test('Pod Running -> Building, Succeeded -> image and digest, in well under a second', async () => {
    const ns = await namespace('flow');
    await createImageSpec(kube, ns, imageSpecObject('flow', base));
    const job = await oneJob(ns, 'flow');
    const pod = await podFor(ns, job);

    let started = Date.now();
    await setPodStatus(kube, ns, pod.metadata!.name!, podStatus.running());
    await imageSpecWhere(ns, 'flow', 'Building', (s) => s.status?.phase === 'Building', 5000);
    const buildingMs = Date.now() - started;
    assert.equal((await getJob(kube, ns, job.metadata.name!)).status?.phase, 'Building');

    started = Date.now();
    await setPodStatus(kube, ns, pod.metadata!.name!, podStatus.succeeded(digestOf('a')));
    const done = await imageSpecWhere(ns, 'flow', 'Succeeded', (s) => s.status?.phase === 'Succeeded', 5000);
    const succeededMs = Date.now() - started;
    assert.equal(done.status?.image, job.spec.targetImage);
    assert.equal(done.status?.digest, digestOf('a'));
    assert.equal(done.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    const finished = await getJob(kube, ns, job.metadata.name!);
    assert.equal(finished.status?.phase, 'Succeeded');
    assert.equal(finished.status?.digest, digestOf('a'));
    assert.equal(finished.status?.conditions?.find((c) => c.type === 'Succeeded')?.status, 'True');
    process.stderr.write(`propagation Pod -> ImageSpec status: Running ${buildingMs} ms, Succeeded ${succeededMs} ms\n`);
    // Resync is 10 minutes: only the watch can explain a change within seconds.
    assert.ok(buildingMs < 3000 && succeededMs < 3000, `propagation took ${buildingMs}/${succeededMs} ms`);
  });

  const failures: Array<[string, () => import('@kubernetes/client-node').V1PodStatus, string, RegExp]> = [
    ['apt', () => podStatus.buildStepFailed('AptInstallFailed', 'E: Unable to locate package no-such-package'), 'AptInstallFailed', /Unable to locate package/],
    ['pip', () => podStatus.buildStepFailed('PipInstallFailed', 'ERROR: No matching distribution found for nope'), 'PipInstallFailed', /No matching distribution/],
    ['conda', () => podStatus.buildStepFailed('CondaInstallFailed', 'conda was not found in the base image'), 'CondaInstallFailed', /conda was not found/],
    ['base', () => podStatus.buildStepFailed('BaseImagePullFailed', 'manifest unknown'), 'BaseImagePullFailed', /manifest unknown/],
    ['push', () => podStatus.pushFailed('unauthorized: authentication required'), 'PushFailed', /unauthorized/],
    ['oom', podStatus.oomKilled, 'OOMKilled', /memory/i],
    ['deadline', podStatus.deadlineExceeded, 'DeadlineExceeded', /deadline/i],
    ['evicted', podStatus.evicted, 'PodEvicted', /ephemeral-storage/],
  ];
  for (const [label, status, reason, message] of failures) {
    test(`a ${label} failure reaches both statuses as ${reason}`, async () => {
      const ns = await namespace(`fail-${label}`);
      await createImageSpec(kube, ns, imageSpecObject('broken', base));
      const job = await oneJob(ns, 'broken');
      const pod = await podFor(ns, job);
      await setPodStatus(kube, ns, pod.metadata!.name!, status());
      const failed = await imageSpecWhere(ns, 'broken', `Failed with ${reason}`, (s) => s.status?.phase === 'Failed');
      const ready = failed.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'False');
      assert.equal(ready?.reason, reason);
      assert.match(failed.status?.message ?? '', message);
      assert.match(failed.status?.message ?? '', /kubectl logs/);
      const jobStatus = (await getJob(kube, ns, job.metadata.name!)).status;
      assert.equal(jobStatus?.phase, 'Failed');
      assert.equal(jobStatus?.reason, reason);
    });
  }
});

describe('4-5. revisions', () => {
  test('editing packages during a build cancels the old revision and keeps the last good image', async () => {
    const ns = await namespace('edit');
    await createImageSpec(kube, ns, imageSpecObject('app', base));
    const first = await oneJob(ns, 'app');
    await setPodStatus(kube, ns, (await podFor(ns, first)).metadata!.name!, podStatus.succeeded(digestOf('1')));
    await imageSpecWhere(ns, 'app', 'first build succeeded', (s) => s.status?.phase === 'Succeeded');

    await patchImageSpec(kube, ns, 'app', { spec: { packages: { pip: ['flask==3.0.3'] } } });
    const second = await waitFor('second revision', async () => (await jobsOf(ns, 'app')).find((j) => j.metadata.name !== first.metadata.name));
    const secondPod = await podFor(ns, second);
    await setPodStatus(kube, ns, secondPod.metadata!.name!, podStatus.running());
    await imageSpecWhere(ns, 'app', 'second revision building', (s) => s.status?.phase === 'Building');

    await patchImageSpec(kube, ns, 'app', { spec: { packages: { pip: ['flask==3.1.0'] } } });
    const third = await waitFor('third revision', async () =>
      (await jobsOf(ns, 'app')).find((j) => j.metadata.name !== first.metadata.name && j.metadata.name !== second.metadata.name),
    );
    const cancelled = await waitFor('second revision cancelled', async () => {
      const job = await getJob(kube, ns, second.metadata.name!);
      return job.status?.phase === 'Cancelled' ? job : undefined;
    });
    assert.equal(cancelled.status?.reason, 'Superseded');
    assert.match(cancelled.status?.message ?? '', new RegExp(shortRevision(third.spec.revision)));
    await waitFor('cancelled Pod deleted', async () => !(await listPods(kube, ns)).some((p) => p.metadata?.name === secondPod.metadata?.name));

    const during = await getImageSpec(kube, ns, 'app');
    assert.equal(during.status?.image, first.spec.targetImage, 'status.image keeps the last success');
    assert.equal(during.status?.digest, digestOf('1'));
    await setPodStatus(kube, ns, (await podFor(ns, third)).metadata!.name!, podStatus.succeeded(digestOf('3')));
    const done = await imageSpecWhere(ns, 'app', 'third build succeeded', (s) => s.status?.phase === 'Succeeded');
    assert.equal(done.status?.image, third.spec.targetImage);
    assert.equal(done.status?.digest, digestOf('3'));
  });

  test('a metadata-only edit creates and writes nothing; a new updateTime rebuilds the same content', async () => {
    const ns = await namespace('meta');
    await createImageSpec(kube, ns, imageSpecObject('meta', base));
    const job = await oneJob(ns, 'meta');
    await setPodStatus(kube, ns, (await podFor(ns, job)).metadata!.name!, podStatus.succeeded(digestOf('d')));
    await imageSpecWhere(ns, 'meta', 'Succeeded', (s) => s.status?.phase === 'Succeeded');
    // Let the controller settle, then edit only labels and annotations.
    await new Promise((r) => setTimeout(r, 1000));
    const edited = await patchImageSpec(kube, ns, 'meta', { metadata: { labels: { team: 'data' }, annotations: { note: 'hello' } } });
    await new Promise((r) => setTimeout(r, 2000));
    const after = await getImageSpec(kube, ns, 'meta');
    assert.equal(after.metadata.resourceVersion, edited.metadata.resourceVersion, 'the controller wrote after a metadata-only edit');
    assert.equal((await jobsOf(ns, 'meta')).length, 1);

    await patchImageSpec(kube, ns, 'meta', { spec: { updateTime: '2026-11-23T12:00:00Z' } });
    const rebuilt = await waitFor('a rebuild for the new updateTime', async () => (await jobsOf(ns, 'meta')).find((j) => j.metadata.name !== job.metadata.name));
    assert.deepEqual(rebuilt.spec.packages, job.spec.packages);
    assert.equal(rebuilt.spec.baseImage, job.spec.baseImage);
    assert.notEqual(rebuilt.spec.revision, job.spec.revision);
  });
});

describe('6. restarts', () => {
  test('the controller killed mid-flight and restarted creates no duplicates and converges', async () => {
    const ns = await namespace('restart');
    const names = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
    await Promise.all(names.map((n, i) => createImageSpec(kube, ns, imageSpecObject(n, { ...base, packages: { apt: [`pkg${i}`] } }))));
    // Kill it while it is creating jobs and Pods.
    await waitFor('some work started', async () => (await listJobs(kube, ns)).length > 0, 30_000, 5);
    await controller.stop('SIGKILL');
    controller = startController(kubeconfig, registryEnv, 'integration-restarted');
    await waitFor('every ImageSpec has one job and one Pod', async () => {
      const jobs = await listJobs(kube, ns);
      const pods = await listPods(kube, ns);
      return jobs.length === names.length && pods.length === names.length;
    }, 60_000);
    for (const name of names) {
      assert.equal((await jobsOf(ns, name)).length, 1, `${name} has one job`);
      await imageSpecWhere(ns, name, 'Pending with its job', (s) => s.status?.phase === 'Pending' && Boolean(s.status.jobName));
    }
    const pods = await listPods(kube, ns);
    assert.equal(new Set(pods.map((p) => p.metadata?.name)).size, names.length);
  });
});

describe('7. garbage collection and history', () => {
  test('history limits prune old revisions', async () => {
    const ns = await namespace('history');
    await createImageSpec(kube, ns, imageSpecObject('hist', { ...base, packages: { apt: ['v0'] } }));
    const kept: ImageSpecJob[] = [];
    for (let i = 0; i < 5; i += 1) {
      if (i > 0) await patchImageSpec(kube, ns, 'hist', { spec: { packages: { apt: [`v${i}`] } } });
      const revision = computeRevision({ ...base, packages: { apt: [`v${i}`] } });
      const job = await waitFor(`revision ${i}`, async () => (await jobsOf(ns, 'hist')).find((j) => j.spec.revision === revision));
      // Alternate: succeeded, failed, succeeded, failed, succeeded.
      const status = i % 2 === 0 ? podStatus.succeeded(digestOf(String(i))) : podStatus.buildStepFailed('AptInstallFailed', 'E: nope');
      await setPodStatus(kube, ns, (await podFor(ns, job)).metadata!.name!, status);
      await waitFor(`revision ${i} finished`, async () => ['Succeeded', 'Failed'].includes((await getJob(kube, ns, job.metadata.name!)).status?.phase ?? ''));
      kept.push(job);
    }
    // Current (v4) + 2 succeeded (v2, v0) + 1 failed (v3): v1 is pruned.
    const remaining = await waitFor('pruned history', async () => {
      const jobs = await jobsOf(ns, 'hist');
      return jobs.length === 4 ? jobs : undefined;
    });
    const names = remaining.map((j) => j.metadata.name).sort();
    assert.deepEqual(names, [kept[0], kept[2], kept[3], kept[4]].map((j) => j!.metadata.name).sort());
  });

  test('deleting an ImageSpec removes its jobs and Pods through the garbage collector', async () => {
    const ns = await namespace('gc');
    await createImageSpec(kube, ns, imageSpecObject('gone', base));
    const job = await oneJob(ns, 'gone');
    await podFor(ns, job);
    await kube.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: 'imagespecs', name: 'gone' });
    await waitFor('children collected', async () => {
      const jobs = await listJobs(kube, ns);
      const pods = await listPods(kube, ns);
      return jobs.length === 0 && pods.length === 0;
    }, 60_000);
  });
});

describe('8. configuration problems', () => {
  test('a missing pull Secret is reported and clears once the Secret exists', async () => {
    const ns = await namespace('pullsecret');
    await createImageSpec(kube, ns, imageSpecObject('private', { ...base, pullSecret: 'base-pull' }));
    const waiting = await imageSpecWhere(ns, 'private', 'PullSecretNotFound', (s) => s.status?.conditions?.[0]?.reason === 'PullSecretNotFound');
    assert.match(waiting.status?.message ?? '', /base-pull/);
    assert.equal((await listJobs(kube, ns)).length, 0);
    const auth = Buffer.from('reader:reader-pass').toString('base64');
    await kube.core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'base-pull' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { '127.0.0.1:5001': { auth } } })).toString('base64') },
      },
    });
    const job = await oneJob(ns, 'private');
    assert.equal(job.spec.pullSecret, 'base-pull');
    await imageSpecWhere(ns, 'private', 'Pending once fixed', (s) => s.status?.conditions?.[0]?.reason === 'Pending');
  });

  test('a missing registry configuration is reported, and a restart with it recovers', async () => {
    const ns = await namespace('noregistry');
    await controller.stop();
    controller = startController(kubeconfig, { IMAGESPEC_BUILD_NODE_SELECTOR: registryEnv.IMAGESPEC_BUILD_NODE_SELECTOR }, 'integration-noregistry');
    try {
      await createImageSpec(kube, ns, imageSpecObject('lonely', base));
      const waiting = await imageSpecWhere(ns, 'lonely', 'RegistryNotConfigured', (s) => s.status?.conditions?.[0]?.reason === 'RegistryNotConfigured');
      assert.match(waiting.status?.message ?? '', /IMAGESPEC_REGISTRY_ENDPOINT/);
      assert.equal((await listJobs(kube, ns)).length, 0);
      assert.equal(controller.child.exitCode, null, 'the controller keeps running');
    } finally {
      await controller.stop();
      // Back without a prefix: images then go right under the registry endpoint.
      const { IMAGESPEC_REPO_PREFIX: _prefix, ...withoutPrefix } = registryEnv;
      controller = startController(kubeconfig, withoutPrefix, 'integration-registry-back');
    }
    const job = await oneJob(ns, 'lonely');
    assert.equal(job.spec.targetImage, `127.0.0.1:5000/${ns}/lonely:${shortRevision(job.spec.revision)}`);
    await imageSpecWhere(ns, 'lonely', 'Pending once configured', (s) => s.status?.conditions?.[0]?.reason === 'Pending');
  });

  test('the password never appears in controller logs', () => {
    assert.ok(!controller.logs().includes(PASSWORD));
  });
});

describe('9. PrimeHub compatibility', () => {
  test('an exported PrimeHub ImageSpec applies with only its apiVersion changed', async () => {
    const ns = await namespace('primehub');
    // As `kubectl get imagespec -o yaml` prints it from a PrimeHub cluster (primehub.io/v1alpha1).
    const exported = yaml.load(`
apiVersion: primehub.io/v1alpha1
kind: ImageSpec
metadata:
  name: tf-notebook
  annotations:
    primehub.io/displayName: TF notebook
  labels:
    primehub.io/group: escaped-data-team
spec:
  baseImage: 127.0.0.1:5001/base/python:3.11
  pullSecret: ""
  packages:
    apt:
    - git
    - libsm6
    pip:
    - pandas==2.2.2
    - scikit-learn
    conda: []
  updateTime: "2026-11-20T08:00:00Z"
status:
  phase: Succeeded
  jobName: tf-notebook-d3a1b2c4
  image: registry.example.com/primehub/tf-notebook:d3a1b2c4
`) as { apiVersion: string; metadata: Record<string, unknown> };
    exported.apiVersion = `${GROUP}/${VERSION}`;
    await createImageSpec(kube, ns, exported);
    const job = await oneJob(ns, 'tf-notebook');
    assert.deepEqual(job.spec.packages, { apt: ['git', 'libsm6'], pip: ['pandas==2.2.2', 'scikit-learn'], conda: [] });
    await podFor(ns, job);
    await imageSpecWhere(ns, 'tf-notebook', 'Pending on its own revision', (s) => s.status?.jobName === job.metadata.name);
  });
});

describe('spec.build: the ImageSpec\'s own Dockerfile from a ConfigMap', () => {
  const dockerfile = 'FROM 127.0.0.1:5001/base/debian:bookworm AS build\nCOPY hello.txt /hello.txt\n';
  const own = { build: { context: { configMap: { name: 'own-context' } }, target: 'build' }, packages: { pip: ['six==1.16.0'] } };
  const writeContext = (ns: string, hello: string) => {
    const body = { metadata: { name: 'own-context', namespace: ns }, data: { Dockerfile: dockerfile, 'hello.txt': hello } };
    return kube.core.replaceNamespacedConfigMap({ name: 'own-context', namespace: ns, body }).catch(() => kube.core.createNamespacedConfigMap({ namespace: ns, body }));
  };
  const revisionOf = (hello: string) => computeRevision(own, { sha256: contextDigest(configMapFiles({ data: { Dockerfile: dockerfile, 'hello.txt': hello } })) });

  test('the ConfigMap\'s content makes the revision, the job records its digest, and the build context carries its files', async () => {
    const ns = await namespace('own-dockerfile');
    await writeContext(ns, 'one\n');
    await createImageSpec(kube, ns, imageSpecObject('own', own));
    const job = await oneJob(ns, 'own');
    assert.equal(job.spec.revision, revisionOf('one\n'));
    assert.equal(job.spec.baseImage, undefined);
    assert.deepEqual(job.spec.build, {
      context: { configMap: { name: 'own-context', sha256: contextDigest(configMapFiles({ data: { Dockerfile: dockerfile, 'hello.txt': 'one\n' } })) } },
      dockerfile: 'Dockerfile',
      target: 'build',
    });

    const pod = plain(await podFor(ns, job));
    const { status, files } = await fetchBuildContext(await uploadPortOf(controller), ns, job.metadata.name!, await podBoundToken(kube, pod));
    assert.equal(status, 200, JSON.stringify(files));
    assert.equal(files['source/Dockerfile'], dockerfile);
    assert.equal(files['source/hello.txt'], 'one\n');
    assert.match(files['Dockerfile'] ?? '', /^FROM \$\{IMAGESPEC_SOURCE_IMAGE\}$/m);
    assert.match(files['build.sh'] ?? '', /^target='build'$/m);

    // Editing the ConfigMap is a new revision, noticed by watch: the running build is superseded.
    await writeContext(ns, 'two\n');
    const next = await waitFor('a job of the edited context', async () => (await jobsOf(ns, 'own')).find((j) => j.spec.revision === revisionOf('two\n')));
    assert.notEqual(next.metadata.name, job.metadata.name);
    await imageSpecWhere(ns, 'own', 'the new revision', (s) => s.status?.revision === revisionOf('two\n'));
    const superseded = await waitFor('the old revision\'s job to be cancelled', async () => {
      const old = await getJob(kube, ns, job.metadata.name!);
      return old.metadata.annotations?.[ANNOTATION_CANCEL] ? old : undefined;
    });
    assert.match(superseded.metadata.annotations![ANNOTATION_CANCEL]!, /^Superseded by revision /);
  });

  test('a ConfigMap that does not exist yet: ContextNotFound and no job, then a job once it is created', async () => {
    const ns = await namespace('own-missing');
    await createImageSpec(kube, ns, imageSpecObject('own', own));
    const waiting = await imageSpecWhere(ns, 'own', 'ContextNotFound', (s) => s.status?.conditions?.some((c) => c.reason === 'ContextNotFound') ?? false);
    assert.equal(waiting.status?.phase, 'Pending');
    assert.match(waiting.status?.message ?? '', /^ConfigMap "own-context" \(spec\.build\.context\.configMap\.name\) was not found in namespace /);
    assert.deepEqual(await jobsOf(ns, 'own'), []);
    await writeContext(ns, 'late\n');
    const job = await oneJob(ns, 'own');
    assert.equal(job.spec.revision, revisionOf('late\n'));
  });

  test('a claim: ContextNotFound until it exists, then a job naming it and a build Pod mounting it read-only', async () => {
    const ns = await namespace('own-claim');
    const spec = { build: { context: { persistentVolumeClaim: { claimName: 'work', path: 'app' } } } };
    await createImageSpec(kube, ns, imageSpecObject('own', spec));
    await imageSpecWhere(ns, 'own', 'ContextNotFound', (s) => s.status?.conditions?.some((c) => c.reason === 'ContextNotFound') ?? false);
    assert.deepEqual(await jobsOf(ns, 'own'), []);
    await kube.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: { metadata: { name: 'work' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    });
    const job = await oneJob(ns, 'own');
    assert.equal(job.spec.revision, computeRevision(spec));
    assert.deepEqual(job.spec.build?.context, { persistentVolumeClaim: { claimName: 'work', path: 'app' } });
    const pod = plain(await podFor(ns, job));
    assert.deepEqual(pod.spec?.volumes?.find((v) => v.name === 'source')?.persistentVolumeClaim, { claimName: 'work', readOnly: true });
  });

  test('an archive URL: a job recording the URL and digest, a build Pod downloading it in a step without a token, and no files served by the controller', async () => {
    const ns = await namespace('own-archive');
    const url = { href: 'http://127.0.0.1:9/app.tar.gz', sha256: 'c'.repeat(64), path: 'app-1.2' };
    const spec = { build: { context: { url } } };
    await createImageSpec(kube, ns, imageSpecObject('own', spec));
    const job = await oneJob(ns, 'own');
    assert.equal(job.spec.revision, computeRevision(spec));
    assert.deepEqual(job.spec.build?.context, { url });
    const pod = plain(await podFor(ns, job));
    assert.deepEqual(pod.spec?.initContainers?.map((c) => c.name), ['context', 'source', 'build']);
    const source = pod.spec!.initContainers!.find((c) => c.name === 'source')!;
    assert.deepEqual(source.volumeMounts?.map((m) => m.name), ['source']);
    assert.deepEqual(pod.spec?.volumes?.find((v) => v.name === 'source')?.emptyDir, {});
    const { status, files } = await fetchBuildContext(await uploadPortOf(controller), ns, job.metadata.name!, await podBoundToken(kube, pod));
    assert.equal(status, 200, JSON.stringify(files));
    assert.deepEqual(Object.keys(files).filter((name) => name.startsWith('source/')), []);
    assert.match(files['build.sh'] ?? '', /^source_path='app-1\.2'$/m);
  });
});
