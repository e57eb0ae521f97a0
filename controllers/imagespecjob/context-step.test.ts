// The context step's script, run by sh against a real HTTP server on loopback.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tarArchive } from '../../render/tar-archive.ts';
import { CONTEXT_FETCH_SCRIPT } from './context-step.ts';

const TOKEN = 'pod-bound-token';
const FILES = { Dockerfile: 'FROM x\n', 'build.sh': '#!/bin/sh\n', 'apt.txt': 'curl\n' };
const answers = new Map<string, Array<(response: ServerResponse) => void>>();
const seen: Array<{ path: string; authorization: string | undefined }> = [];
let base = '';
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
  const queue = answers.get(request.url ?? '') ?? [];
  const answer = queue.length > 1 ? queue.shift()! : queue[0];
  if (answer) answer(response);
  else response.writeHead(404).end('no such path\n');
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

async function run(path: string, options: { token?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'context-step-'));
  const context = join(dir, 'context');
  mkdirSync(context);
  const tokenFile = join(dir, 'token');
  if (options.token !== '') writeFileSync(tokenFile, options.token ?? TOKEN);
  const terminationLog = join(dir, 'termination-log');
  // Asynchronously: the server answering the script lives in this process.
  const result = await new Promise<{ status: number; stdout: string }>((resolve) => {
    execFile('/bin/sh', ['-c', CONTEXT_FETCH_SCRIPT, 'context', `${base}${path}`, tokenFile, context, terminationLog], (error, stdout) =>
      resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
  const files = Object.fromEntries(readdirSync(context).map((name) => [name, readFileSync(join(context, name), 'utf8')]));
  let message = '';
  try {
    message = readFileSync(terminationLog, 'utf8');
  } catch {}
  rmSync(dir, { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, files, message };
}

const tar = (response: ServerResponse) => response.writeHead(200, { 'Content-Type': 'application/x-tar' }).end(tarArchive(FILES));

test('unpacks the controller\'s archive into the context directory, sending the token as a Bearer header', async () => {
  answers.set('/ok', [tar]);
  const result = await run('/ok');
  assert.equal(result.status, 0, result.message);
  assert.deepEqual(result.files, FILES);
  assert.equal(seen.at(-1)?.authorization, `Bearer ${TOKEN}`);
  assert.match(result.stdout, /fetched the build context: Dockerfile apt.txt build.sh/);
});

test('a 503 is tried again; a refusal is the failure at once, with the controller\'s words', async () => {
  answers.set('/busy', [(response) => response.writeHead(503).end('restarting\n'), tar]);
  const retried = await run('/busy');
  assert.equal(retried.status, 0, retried.message);
  assert.deepEqual(retried.files, FILES);

  answers.set('/refused', [(response) => response.writeHead(403).end('Only the build Pod of ImageSpecJob a/b may fetch its build context\n')]);
  const refused = await run('/refused');
  assert.equal(refused.status, 1);
  assert.deepEqual(refused.files, {}, 'nothing lands in the context directory');
  assert.equal(refused.message, 'reason=ContextFetchFailed\nThe controller did not give the build context (HTTP 403)\nOnly the build Pod of ImageSpecJob a/b may fetch its build context\n');
});

test('a 412 (the ConfigMap context no longer holds the revision\'s content) is ContextChanged; a 409 is not', async () => {
  answers.set('/finished', [(response) => response.writeHead(409).end('ImageSpecJob a/b is finished\n')]);
  assert.match((await run('/finished')).message, /^reason=ContextFetchFailed\n/);
  answers.set('/changed', [(response) => response.writeHead(412).end('ConfigMap "ctx" (the build context) changed after this revision was created\n')]);
  const changed = await run('/changed');
  assert.equal(changed.status, 1);
  assert.equal(changed.message, 'reason=ContextChanged\nThe controller did not give the build context (HTTP 412)\nConfigMap "ctx" (the build context) changed after this revision was created\n');
});

test('an earlier version\'s replica (uploads only) is waited out; any other 404 is the failure at once', async () => {
  answers.set('/rolling', [(response) => response.writeHead(404).end('Not an upload path: PUT /v1/namespaces/<namespace>/imagespecjobs/<name>/image\n'), tar]);
  const rolled = await run('/rolling');
  assert.equal(rolled.status, 0, rolled.message);
  assert.deepEqual(rolled.files, FILES);

  answers.set('/gone', [(response) => response.writeHead(404).end('ImageSpecJob team-a/gone does not exist\n'), tar]);
  const gone = await run('/gone');
  assert.equal(gone.status, 1);
  assert.match(gone.message, /^reason=ContextFetchFailed\nThe controller did not give the build context \(HTTP 404\)\nImageSpecJob team-a\/gone does not exist\n$/);
});

test('no token, or an answer that is not an archive, fails with a sentence', async () => {
  answers.set('/ok', [tar]);
  const noToken = await run('/ok', { token: '' });
  assert.equal(noToken.status, 1);
  assert.match(noToken.message, /^reason=ContextFetchFailed\nNo service account token at .*: the build context cannot be fetched\n$/);

  answers.set('/garbage', [(response) => response.writeHead(200).end('not a tar archive at all\n'.repeat(40))]);
  const garbage = await run('/garbage');
  assert.equal(garbage.status, 1);
  assert.match(garbage.message, /^reason=ContextFetchFailed\nCould not unpack the build context\n/);
});
