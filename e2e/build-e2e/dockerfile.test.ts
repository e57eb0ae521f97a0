// End-to-end: the ImageSpec's own Dockerfile (spec.build) from a ConfigMap or a claim, built for
// real on the local node: a multi-stage Dockerfile with a target stage and pip packages on top, a
// rebuild when the ConfigMap's content changes, a claim backed by a local volume rebuilt on
// updateTime, and the failures a user can act on.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImageSpec } from '../../api/types.ts';
import { createImageSpec, getImageSpec, imageSpecObject, listJobs, patchImageSpec, type ControllerProcess } from '../integration/harness.ts';
import { waitFor } from '../wait.ts';
import { finished, keepBuildLogs, namespaceName, readyCondition, runInImage, startBuildController, startE2e, type E2e } from './harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';

const debianBase = '127.0.0.1:5001/base/debian:bookworm';
const pythonBase = '127.0.0.1:5001/base/python:3.11-bookworm';

// Three stages: `runtime` is the target, so the last stage (which would fail) is never built. The
// python base runs as a user of its own, so the Dockerfile switches to root to add one.
const MULTI_STAGE = `FROM ${debianBase} AS build
RUN echo "made in the build stage" > /made.txt
FROM ${pythonBase} AS runtime
COPY --from=build /made.txt /opt/app/made.txt
COPY greeting.txt /opt/app/greeting.txt
USER root
RUN useradd --uid 4321 --create-home app
USER app
FROM runtime AS never-built
RUN exit 42
`;

let e2e: E2e;
let controller: ControllerProcess;
const ns = namespaceName('dockerfile');
/** The claim's volume: a directory of this machine, served by a hostPath PersistentVolume. */
const volumeDir = mkdtempSync(join(tmpdir(), 'imagespec-e2e-claim-'));
const volumeName = `${ns}-work`.slice(0, 63);

async function writeConfigMap(name: string, data: Record<string, string>, binaryData?: Record<string, string>): Promise<void> {
  const body = { metadata: { name, namespace: ns }, data, ...(binaryData ? { binaryData } : {}) };
  await e2e.kube.core.replaceNamespacedConfigMap({ name, namespace: ns, body }).catch(() => e2e.kube.core.createNamespacedConfigMap({ namespace: ns, body }));
}

function ownBuild(name: string, configMap: string, fields: Partial<ImageSpec['spec']> & { dockerfile?: string; target?: string } = {}) {
  const { dockerfile, target, ...spec } = fields;
  return imageSpecObject(name, {
    ...spec,
    build: { context: { configMap: { name: configMap } }, ...(dockerfile ? { dockerfile } : {}), ...(target ? { target } : {}) },
  } as ImageSpec['spec']);
}

function failure(spec: ImageSpec): string {
  const ready = readyCondition(spec);
  return `phase ${spec.status?.phase}, reason ${ready?.reason}: ${ready?.message}\n(build logs kept in ${keepBuildLogs(e2e, ns, spec)})`;
}

describe('builds of the ImageSpec\'s own Dockerfile from a ConfigMap or a claim', () => {
  before(async () => {
    e2e = await startE2e();
    await createNamespace(e2e.kube, ns);
    controller = startBuildController(e2e, 'e2e-dockerfile', [ns]);
  });

  after(async () => {
    await controller?.stop();
    if (e2e) await deleteNamespaces(e2e.kube, [ns]);
    if (e2e) await e2e.kube.core.deletePersistentVolume({ name: volumeName }).catch(() => undefined);
    rmSync(volumeDir, { recursive: true, force: true });
  });

  test('a multi-stage Dockerfile, its target stage and pip packages on top; editing the ConfigMap rebuilds', async () => {
    await writeConfigMap('app-context', { 'Dockerfile.app': MULTI_STAGE, 'greeting.txt': 'hello, first\n' });
    await createImageSpec(e2e.kube, ns, ownBuild('app', 'app-context', { dockerfile: 'Dockerfile.app', target: 'runtime', packages: { pip: ['six==1.16.0'] } }));
    const first = await finished(e2e.kube, ns, 'app');
    assert.equal(first.status?.phase, 'Succeeded', failure(first));
    assert.match(first.status?.image ?? '', new RegExp(`/${ns}/app:${first.status!.revision!.slice(0, 12)}$`));

    const check = await runInImage(
      e2e.kube,
      ns,
      'check-app',
      `${first.status!.image!}@${first.status!.digest!}`,
      'id -u; cat /opt/app/made.txt /opt/app/greeting.txt; python3 -c "import six; print(\\"six\\", six.__version__)"',
      e2e.node.pushCredentials,
    );
    assert.equal(check.phase, 'Succeeded', check.logs);
    // The Dockerfile's user (the target stage's USER) is kept: the packages were installed as root and handed back.
    assert.equal(check.logs, '4321\nmade in the build stage\nhello, first\nsix 1.16.0\n');

    // The ConfigMap's content is part of the revision: editing it builds a new one, by watch.
    await writeConfigMap('app-context', { 'Dockerfile.app': MULTI_STAGE, 'greeting.txt': 'hello, second\n' });
    const second = await finished(e2e.kube, ns, 'app', 15 * 60_000, first.status!.revision);
    assert.equal(second.status?.phase, 'Succeeded', failure(second));
    assert.notEqual(second.status?.revision, first.status?.revision);
    const recheck = await runInImage(e2e.kube, ns, 'check-app-2', `${second.status!.image!}@${second.status!.digest!}`, 'cat /opt/app/greeting.txt', e2e.node.pushCredentials);
    assert.equal(recheck.logs, 'hello, second\n');
    const jobs = (await listJobs(e2e.kube, ns)).filter((job) => job.spec.imageSpecName === 'app');
    assert.deepEqual(jobs.map((job) => job.spec.build?.context.configMap?.name), ['app-context', 'app-context']);
  });

  test('a Dockerfile with no packages is the image as it is, binaryData files included', async () => {
    const dockerfile = `FROM ${debianBase}\nCOPY blob.bin /blob.bin\nRUN test "$(od -An -tx1 /blob.bin | tr -d ' ')" = 00ff0a\n`;
    await writeConfigMap('plain-context', { Dockerfile: dockerfile }, { 'blob.bin': Buffer.from([0, 255, 10]).toString('base64') });
    await createImageSpec(e2e.kube, ns, ownBuild('plain', 'plain-context'));
    const spec = await finished(e2e.kube, ns, 'plain');
    assert.equal(spec.status?.phase, 'Succeeded', failure(spec));
  });

  test('a failing instruction: BuildFailed, naming the instruction', async () => {
    await writeConfigMap('broken-context', { Dockerfile: `FROM ${debianBase}\nRUN echo preparing && exit 3\n` });
    await createImageSpec(e2e.kube, ns, ownBuild('broken', 'broken-context'));
    const spec = await finished(e2e.kube, ns, 'broken');
    const ready = readyCondition(spec);
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(ready?.reason, 'BuildFailed', failure(spec));
    assert.match(ready?.message ?? '', /^Building the Dockerfile Dockerfile failed/, failure(spec));
    assert.match(ready?.message ?? '', /building at STEP "RUN echo preparing && exit 3": .*exit status 3/, failure(spec));
  });

  test('a Dockerfile path the context does not have: DockerfileNotFound, naming what it holds', async () => {
    await writeConfigMap('elsewhere-context', { Dockerfile: `FROM ${debianBase}\n` });
    await createImageSpec(e2e.kube, ns, ownBuild('elsewhere', 'elsewhere-context', { dockerfile: 'docker/Dockerfile.gpu' }));
    const spec = await finished(e2e.kube, ns, 'elsewhere');
    const ready = readyCondition(spec);
    assert.equal(ready?.reason, 'DockerfileNotFound', failure(spec));
    assert.match(ready?.message ?? '', /^The Dockerfile docker\/Dockerfile\.gpu \(spec\.build\.dockerfile\) is not in the build context, which holds: Dockerfile/);
  });

  test('a ConfigMap that does not exist: ContextNotFound and no build, until it is created', async () => {
    await createImageSpec(e2e.kube, ns, ownBuild('waiting', 'not-yet'));
    const waiting = await waitFor('the ImageSpec to report its missing ConfigMap', async () => {
      const spec = await getImageSpec(e2e.kube, ns, 'waiting');
      return readyCondition(spec)?.reason === 'ContextNotFound' ? spec : undefined;
    }, 60_000, 200);
    assert.match(readyCondition(waiting)?.message ?? '', /ConfigMap "not-yet" \(spec\.build\.context\.configMap\.name\) was not found/);
    assert.deepEqual((await listJobs(e2e.kube, ns)).filter((job) => job.spec.imageSpecName === 'waiting'), []);
    // Creating it is a ConfigMap event: the ImageSpec builds without being touched.
    await writeConfigMap('not-yet', { Dockerfile: `FROM ${debianBase}\n` });
    const built = await finished(e2e.kube, ns, 'waiting');
    assert.equal(built.status?.phase, 'Succeeded', failure(built));
  });

  test('a claim backed by a local volume, at a path inside it; changing its files and updateTime rebuilds', async () => {
    const project = join(volumeDir, 'projects', 'app');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'Dockerfile'), `FROM ${debianBase}\nCOPY version.txt /version.txt\n`);
    writeFileSync(join(project, 'version.txt'), 'v1\n');
    await e2e.kube.core.createPersistentVolume({
      body: {
        metadata: { name: volumeName },
        spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: '', hostPath: { path: volumeDir, type: 'Directory' }, claimRef: { namespace: ns, name: 'work' } },
      },
    });
    // The ImageSpec comes first: a missing claim waits as ContextNotFound (claims are not watched; it looks again).
    await createImageSpec(e2e.kube, ns, imageSpecObject('from-claim', { build: { context: { persistentVolumeClaim: { claimName: 'work', path: 'projects/app' } } } } as ImageSpec['spec']));
    const waiting = await waitFor('the ImageSpec to report its missing claim', async () => {
      const spec = await getImageSpec(e2e.kube, ns, 'from-claim');
      return readyCondition(spec)?.reason === 'ContextNotFound' ? spec : undefined;
    }, 60_000, 200);
    assert.match(readyCondition(waiting)?.message ?? '', /^PersistentVolumeClaim "work" \(spec\.build\.context\.persistentVolumeClaim\.claimName\) was not found/);
    await e2e.kube.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: { metadata: { name: 'work' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', volumeName, resources: { requests: { storage: '1Gi' } } } },
    });
    const first = await finished(e2e.kube, ns, 'from-claim');
    assert.equal(first.status?.phase, 'Succeeded', failure(first));
    const v1 = await runInImage(e2e.kube, ns, 'check-claim-1', `${first.status!.image!}@${first.status!.digest!}`, 'cat /version.txt', e2e.node.pushCredentials);
    assert.equal(v1.logs, 'v1\n');

    // The files are out of the controller's sight: the user says "rebuild" with updateTime.
    writeFileSync(join(project, 'version.txt'), 'v2\n');
    await patchImageSpec(e2e.kube, ns, 'from-claim', { spec: { updateTime: '2026-11-25T10:00:00Z' } });
    const second = await finished(e2e.kube, ns, 'from-claim', 15 * 60_000, first.status!.revision);
    assert.equal(second.status?.phase, 'Succeeded', failure(second));
    const v2 = await runInImage(e2e.kube, ns, 'check-claim-2', `${second.status!.image!}@${second.status!.digest!}`, 'cat /version.txt', e2e.node.pushCredentials);
    assert.equal(v2.logs, 'v2\n');
  });
});
