// End-to-end: the ImageSpec's own Dockerfile from an archive URL (spec.build.context.url), built
// for real on the local node. The archives are served by this process on loopback (the node's
// build Pods use the host network): a tar.gz at a path inside it with packages on top, a zip, an
// archive whose digest is not the one named, and a URL where nothing listens.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { ImageSpec, UrlContext } from '../../api/types.ts';
import { tarArchive } from '../../render/tar-archive.ts';
import { zipArchive } from '../../controllers/imagespecjob/testdata/zip-archive.ts';
import { createImageSpec, imageSpecObject, listJobs, type ControllerProcess } from '../integration/harness.ts';
import { finished, keepBuildLogs, namespaceName, readyCondition, runInImage, startBuildController, startE2e, type E2e } from './harness.ts';
import { createNamespace, deleteNamespaces } from '../namespaces.ts';

const debianBase = '127.0.0.1:5001/base/debian:bookworm';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// A source release as projects publish them: everything under one top directory.
const release = gzipSync(
  tarArchive({}, {
    name: 'app-1.2',
    files: {
      Dockerfile: Buffer.from(`FROM ${debianBase}\nCOPY version.txt /opt/app/version.txt\nRUN test -s /opt/app/version.txt\n`),
      'version.txt': Buffer.from('1.2 from the tar.gz\n'),
    },
  }),
);
const zip = zipArchive({ 'docker/Dockerfile': `FROM ${debianBase}\nCOPY notes.txt /notes.txt\n`, 'notes.txt': 'from the zip\n' });

let e2e: E2e;
let controller: ControllerProcess;
let server: Server;
let base = '';
const requests: string[] = [];
const ns = namespaceName('archive');

function archiveBuild(name: string, url: UrlContext, fields: Partial<ImageSpec['spec']> & { dockerfile?: string } = {}) {
  const { dockerfile, ...spec } = fields;
  return imageSpecObject(name, { ...spec, build: { context: { url }, ...(dockerfile ? { dockerfile } : {}) } } as ImageSpec['spec']);
}

function failure(spec: ImageSpec): string {
  const ready = readyCondition(spec);
  return `phase ${spec.status?.phase}, reason ${ready?.reason}: ${ready?.message}\n(build logs kept in ${keepBuildLogs(e2e, ns, spec)})`;
}

describe('builds of the ImageSpec\'s own Dockerfile from an archive URL', () => {
  before(async () => {
    server = createServer((request, response) => {
      requests.push(`${request.url} ${request.headers.authorization ? 'with' : 'without'} Authorization`);
      if (request.url === '/releases/app-1.2.tar.gz') response.writeHead(200).end(release);
      else if (request.url === '/context.zip') response.writeHead(200).end(zip);
      else response.writeHead(404).end('no such file\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    e2e = await startE2e();
    await createNamespace(e2e.kube, ns);
    controller = startBuildController(e2e, 'e2e-archive', [ns]);
  });

  after(async () => {
    await controller?.stop();
    if (e2e) await deleteNamespaces(e2e.kube, [ns]);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  test('a tar.gz with the named digest, at its top directory: built, the file in the image, fetched without credentials', async () => {
    const url = { href: `${base}/releases/app-1.2.tar.gz`, sha256: sha256(release), path: 'app-1.2' };
    await createImageSpec(e2e.kube, ns, archiveBuild('release', url));
    const spec = await finished(e2e.kube, ns, 'release');
    assert.equal(spec.status?.phase, 'Succeeded', failure(spec));
    const check = await runInImage(e2e.kube, ns, 'check-release', `${spec.status!.image!}@${spec.status!.digest!}`, 'cat /opt/app/version.txt', e2e.node.pushCredentials);
    assert.equal(check.logs, '1.2 from the tar.gz\n');
    const [job] = (await listJobs(e2e.kube, ns)).filter((j) => j.spec.imageSpecName === 'release');
    assert.deepEqual(job?.spec.build?.context, { url });
    assert.ok(requests.includes('/releases/app-1.2.tar.gz without Authorization'), requests.join('\n'));
    assert.ok(!requests.some((line) => line.endsWith(' with Authorization')), requests.join('\n'));
  });

  test('a zip, with the Dockerfile in a directory of it', async () => {
    await createImageSpec(e2e.kube, ns, archiveBuild('zipped', { href: `${base}/context.zip`, sha256: sha256(zip) }, { dockerfile: 'docker/Dockerfile' }));
    const spec = await finished(e2e.kube, ns, 'zipped');
    assert.equal(spec.status?.phase, 'Succeeded', failure(spec));
    const check = await runInImage(e2e.kube, ns, 'check-zipped', `${spec.status!.image!}@${spec.status!.digest!}`, 'cat /notes.txt', e2e.node.pushCredentials);
    assert.equal(check.logs, 'from the zip\n');
  });

  test('an archive whose digest is not the one named: ArchiveDigestMismatch, nothing built', async () => {
    const named = 'e'.repeat(64);
    await createImageSpec(e2e.kube, ns, archiveBuild('tampered', { href: `${base}/releases/app-1.2.tar.gz`, sha256: named, path: 'app-1.2' }));
    const spec = await finished(e2e.kube, ns, 'tampered');
    const ready = readyCondition(spec);
    assert.equal(spec.status?.phase, 'Failed');
    assert.equal(ready?.reason, 'ArchiveDigestMismatch', failure(spec));
    assert.ok(ready?.message.includes(`has the digest sha256:${sha256(release)}, not the sha256:${named} that spec.build.context.url.sha256 names`), failure(spec));
    assert.equal(spec.status?.image, undefined);
  });

  test('a URL where nothing listens: ArchiveDownloadFailed with curl\'s words', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await createImageSpec(e2e.kube, ns, archiveBuild('unreachable', { href: `http://127.0.0.1:${port}/app.tar.gz`, sha256: sha256(release) }));
    const spec = await finished(e2e.kube, ns, 'unreachable');
    const ready = readyCondition(spec);
    assert.equal(ready?.reason, 'ArchiveDownloadFailed', failure(spec));
    assert.match(ready?.message ?? '', new RegExp(`^Could not download the build context archive from http://127\\.0\\.0\\.1:${port}/app\\.tar\\.gz \\(curl status 7\\)`), failure(spec));
  });
});
