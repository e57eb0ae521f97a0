// The download step's script, run by sh against a real HTTP server on loopback.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { tarArchive } from '../../render/tar-archive.ts';
import { zipArchive } from './testdata/zip-archive.ts';
import { SOURCE_DOWNLOAD_SCRIPT } from './source-step.ts';

const MIB = 1024 * 1024;
const FILES = { Dockerfile: 'FROM x\nCOPY app.py /\n', 'app.py': 'print("hi")\n' };
const tarGz = gzipSync(tarArchive({}, { name: 'app-1.2', files: { Dockerfile: Buffer.from(FILES.Dockerfile), 'app.py': Buffer.from(FILES['app.py']) } }));
const zip = zipArchive({ 'docker/Dockerfile': FILES.Dockerfile, 'app.py': FILES['app.py'] });
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const answers = new Map<string, (response: ServerResponse) => void>();
const requests: IncomingMessage[] = [];
let base = '';
const server = createServer((request, response) => {
  requests.push(request);
  const answer = answers.get(request.url ?? '');
  if (answer) answer(response);
  else response.writeHead(404).end('no such file\n');
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  answers.set('/app.tar.gz', (response) => response.writeHead(200).end(tarGz));
  answers.set('/app.zip', (response) => response.writeHead(200).end(zip));
  answers.set('/moved.tar.gz', (response) => response.writeHead(302, { Location: '/app.tar.gz' }).end());
});
after(() => server.close());

/** Every file under `dir`, by its relative path. */
function filesUnder(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    if (statSync(path).isFile()) found[relative(dir, path)] = readFileSync(path, 'utf8');
  }
  return found;
}

async function run(url: string, digest: string, maxBytes = MIB, env: Record<string, string> = {}) {
  const work = mkdtempSync(join(tmpdir(), 'source-step-'));
  const dir = join(work, 'source');
  mkdirSync(dir);
  const terminationLog = join(work, 'termination-log');
  const args = ['-c', SOURCE_DOWNLOAD_SCRIPT, 'source', url, digest, String(maxBytes), dir, terminationLog];
  // Asynchronously: the server answering the script lives in this process.
  const options = { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, ...env } };
  const status = await new Promise<number>((resolve) => execFile('/bin/sh', args, options, (error) => resolve(error ? Number((error as { code?: number }).code ?? 1) : 0)));
  const files = filesUnder(dir);
  let message = '';
  try {
    message = readFileSync(terminationLog, 'utf8');
  } catch {}
  rmSync(work, { recursive: true, force: true });
  return { status, files, message };
}

test('unpacks a tar.gz with the named digest, its top directory kept, following a redirect', async () => {
  for (const path of ['/app.tar.gz', '/moved.tar.gz']) {
    const result = await run(`${base}${path}`, sha256(tarGz));
    assert.equal(result.status, 0, result.message);
    assert.deepEqual(result.files, { 'app-1.2/Dockerfile': FILES.Dockerfile, 'app-1.2/app.py': FILES['app.py'] });
  }
});

test('unpacks a zip, told apart by its content and not its name', async () => {
  answers.set('/context', (response) => response.writeHead(200).end(zip));
  const result = await run(`${base}/context`, sha256(zip));
  assert.equal(result.status, 0, result.message);
  assert.deepEqual(result.files, { 'docker/Dockerfile': FILES.Dockerfile, 'app.py': FILES['app.py'] });
});

test('sends no credential, not even one a .curlrc in the image would add', async () => {
  const home = mkdtempSync(join(tmpdir(), 'source-step-home-'));
  writeFileSync(join(home, '.curlrc'), 'header = "Authorization: Bearer from-curlrc"\nheader = "Cookie: session=from-curlrc"\n');
  requests.length = 0;
  const result = await run(`${base}/app.tar.gz`, sha256(tarGz), MIB, { HOME: home, CURL_HOME: home });
  rmSync(home, { recursive: true, force: true });
  assert.equal(result.status, 0, result.message);
  assert.equal(requests.length, 1);
  assert.equal(requests[0]!.headers.authorization, undefined);
  assert.equal(requests[0]!.headers.cookie, undefined);
});

test('a plain tar (ustar) unpacks too, and no file keeps a setuid bit', async () => {
  const tar = tarArchive({}, { name: 'ctx', files: { Dockerfile: Buffer.from('FROM x\n') } });
  answers.set('/plain.tar', (response) => response.writeHead(200).end(tar));
  const result = await run(`${base}/plain.tar`, sha256(tar));
  assert.equal(result.status, 0, result.message);
  assert.deepEqual(result.files, { 'ctx/Dockerfile': 'FROM x\n' });
});

test('a URL is taken as it is: brackets and braces are no ranges, backslashes stay in the message as written', async () => {
  requests.length = 0;
  const globbed = await run(`${base}/a{1,2}[1-9]`, sha256(tarGz));
  assert.equal(globbed.status, 1);
  assert.deepEqual(requests.map((request) => request.url), ['/a{1,2}[1-9]']);
  const escaped = await run(`${base}/x\\nreason=ArchiveTooLarge\\c`, sha256(tarGz));
  assert.equal(escaped.message.split('\n')[0], 'reason=ArchiveDownloadFailed');
  assert.ok(escaped.message.includes('/x\\nreason=ArchiveTooLarge\\c (curl status 22)'), escaped.message);
});

test('a download cut short, then a 503, is tried again from the start: the whole archive, once', async () => {
  let calls = 0;
  answers.set('/flaky.tar.gz', (response) => {
    calls += 1;
    if (calls === 1) {
      // Half the archive, then the connection drops.
      response.writeHead(200, { 'Content-Length': String(tarGz.length) });
      response.write(tarGz.subarray(0, Math.floor(tarGz.length / 2)), () => response.destroy());
    } else if (calls === 2) response.writeHead(503).end('busy\n');
    else response.writeHead(200).end(tarGz);
  });
  const result = await run(`${base}/flaky.tar.gz`, sha256(tarGz));
  assert.equal(result.status, 0, result.message);
  assert.equal(calls, 3);
  assert.deepEqual(Object.keys(result.files).sort(), ['app-1.2/Dockerfile', 'app-1.2/app.py']);
});

test('an archive with another digest is not unpacked: ArchiveDigestMismatch with both digests', async () => {
  const wrong = 'f'.repeat(64);
  const result = await run(`${base}/app.tar.gz`, wrong);
  assert.equal(result.status, 1);
  assert.deepEqual(result.files, {});
  assert.match(result.message, /^reason=ArchiveDigestMismatch\n/);
  assert.ok(result.message.includes(`has the digest sha256:${sha256(tarGz)}, not the sha256:${wrong} that spec.build.context.url.sha256 names`), result.message);
});

test('a URL that answers 404, and one where nothing listens: ArchiveDownloadFailed with curl\'s words', async () => {
  const missing = await run(`${base}/nothing-here.tar.gz`, sha256(tarGz));
  assert.equal(missing.status, 1);
  assert.match(missing.message, /^reason=ArchiveDownloadFailed\nCould not download the build context archive from http:\/\/127\.0\.0\.1:\d+\/nothing-here\.tar\.gz \(curl status 22\)\n.*404/s);

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const unreachable = await run(`http://127.0.0.1:${port}/app.tar.gz`, sha256(tarGz));
  assert.equal(unreachable.status, 1);
  assert.match(unreachable.message, /^reason=ArchiveDownloadFailed\n.*\(curl status 7\)\n.*Failed to connect/s);
});

test('too large as downloaded, with or without a Content-Length, and too large once unpacked: ArchiveTooLarge', async () => {
  const big = Buffer.alloc(2 * MIB, 1);
  answers.set('/big', (response) => response.writeHead(200, { 'Content-Length': String(big.length) }).end(big));
  answers.set('/big-chunked', (response) => {
    response.writeHead(200);
    response.write(big.subarray(0, MIB));
    response.end(big.subarray(MIB));
  });
  for (const path of ['/big', '/big-chunked']) {
    const result = await run(`${base}${path}`, sha256(big));
    assert.equal(result.status, 1);
    assert.match(result.message, /^reason=ArchiveTooLarge\nThe archive at .* is larger than the 1 MiB this cluster allows \(IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB\)/);
  }

  // A few KiB that unpack to 2 MiB of zeros.
  const bomb = gzipSync(tarArchive({}, { name: 'zeros', files: { 'zeros.bin': Buffer.alloc(2 * MIB) } }));
  assert.ok(bomb.length < 64 * 1024);
  answers.set('/bomb.tar.gz', (response) => response.writeHead(200).end(bomb));
  const unpacked = await run(`${base}/bomb.tar.gz`, sha256(bomb));
  assert.equal(unpacked.status, 1);
  assert.deepEqual(unpacked.files, {});
  assert.match(unpacked.message, /^reason=ArchiveTooLarge\nThe archive at .* unpacks to more than the 1 MiB/);
});

test('a file that is no archive, and a corrupt tar.gz: ArchiveUnpackFailed', async () => {
  const page = Buffer.from('<html>not an archive</html>\n');
  answers.set('/page', (response) => response.writeHead(200).end(page));
  const notArchive = await run(`${base}/page`, sha256(page));
  assert.equal(notArchive.status, 1);
  assert.match(notArchive.message, /^reason=ArchiveUnpackFailed\nThe file at .* is not a tar\.gz, tar \(ustar or pax\) or zip archive \(it starts with the bytes 3c68746d\)/);

  const corrupt = Buffer.concat([tarGz.subarray(0, 20), Buffer.alloc(200, 7)]);
  answers.set('/corrupt.tar.gz', (response) => response.writeHead(200).end(corrupt));
  const broken = await run(`${base}/corrupt.tar.gz`, sha256(corrupt));
  assert.equal(broken.status, 1);
  assert.match(broken.message, /^reason=ArchiveUnpackFailed\nCould not unpack the tar\.gz archive from /);
});
