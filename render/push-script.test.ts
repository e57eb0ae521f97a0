// Runs the rendered push.sh, with the real tar and curl, against an HTTP server on loopback that
// answers as the controller's upload endpoint would, to check what the script sends and what it
// reports for each answer.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderBuildContext } from './context.ts';
import { loadTemplates } from './templates.ts';

const DIGEST = `sha256:${'d3c5'.repeat(16)}`;
const TOKEN = 'eyJ.token-of-the-pod.sig';

interface Received {
  method: string;
  url: string;
  authorization: string;
  expect: string;
  body: Buffer;
}

type Answer = (request: Received) => { status: number; body: string };

let answers: Answer[] = [];
const received: Received[] = [];
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const seen: Received = {
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization ?? '',
      expect: String(request.headers.expect ?? ''),
      body: Buffer.concat(chunks),
    };
    received.push(seen);
    const answer = (answers.shift() ?? (() => ({ status: 500, body: 'no answer prepared\n' })))(seen);
    response.writeHead(answer.status, { 'Content-Type': 'text/plain' });
    response.end(answer.body);
  });
});

const root = mkdtempSync(join(tmpdir(), 'imagespec-push-script-'));
let pushScript = '';

before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const files = renderBuildContext(loadTemplates(), {
    baseImage: 'r.example.com/base:1',
    packages: { apt: [], conda: [], pip: [] },
    targetImage: 'r.example.com/team/x:0123456789ab',
    uploadUrl: `http://127.0.0.1:${port}/v1/namespaces/team/imagespecjobs/x-0123456789ab/image`,
  });
  pushScript = files['push.sh']!;
});

after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

let runs = 0;
async function run(options: { token?: boolean; layout?: boolean } = {}) {
  const dir = join(root, `run-${++runs}`);
  const layout = join(dir, 'image');
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  if (options.layout ?? true) {
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(layout, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
  }
  const tokenFile = join(dir, 'token');
  if (options.token ?? true) writeFileSync(tokenFile, TOKEN);
  const script = join(dir, 'push.sh');
  writeFileSync(script, pushScript);
  const termination = join(dir, 'termination-log');
  const child = spawn('sh', [script], {
    env: { PATH: process.env.PATH, IMAGESPEC_OCI_LAYOUT: layout, IMAGESPEC_UPLOAD_TOKEN_FILE: tokenFile, IMAGESPEC_TERMINATION_LOG: termination },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const [status] = (await once(child, 'close')) as [number];
  return { status, output, termination: existsSync(termination) ? readFileSync(termination, 'utf8') : '' };
}

describe('push.sh', () => {
  it('uploads the layout as a tar with the Pod\'s token and reports the controller\'s digest', async () => {
    received.length = 0;
    answers = [() => ({ status: 200, body: `digest=${DIGEST}\n` })];
    const result = await run();
    assert.equal(result.status, 0, result.output);
    assert.equal(result.termination, `digest=${DIGEST}\n`);
    assert.equal(received.length, 1);
    const [upload] = received;
    assert.equal(upload!.method, 'PUT');
    assert.equal(upload!.url, '/v1/namespaces/team/imagespecjobs/x-0123456789ab/image');
    assert.equal(upload!.authorization, `Bearer ${TOKEN}`);
    assert.equal(upload!.expect.toLowerCase(), '100-continue', 'the controller can refuse before any byte of the image is sent');
    // A tar: the member names sit in the 100-byte name fields of its 512-byte headers.
    const text = upload!.body.toString('latin1');
    assert.ok(upload!.body.length % 512 === 0 && text.includes('./index.json') && text.includes('./oci-layout'), 'a tar of the layout');
    assert.ok(!result.output.includes(TOKEN), 'the token is never printed');
  });

  it('reports PushFailed with the controller\'s sentence when it refuses', async () => {
    answers = [() => ({ status: 403, body: 'The token does not belong to the build Pod of ImageSpecJob x-0123456789ab.\n' })];
    const result = await run();
    assert.notEqual(result.status, 0);
    assert.match(result.termination, /^reason=PushFailed\nThe controller could not push the image to r\.example\.com\/team\/x:0123456789ab \(HTTP 403\)\n/);
    assert.match(result.termination, /does not belong to the build Pod/);
  });

  it('tries again while the controller is unavailable, then succeeds', async () => {
    received.length = 0;
    answers = [() => ({ status: 503, body: 'not ready\n' }), () => ({ status: 200, body: `digest=${DIGEST}\n` })];
    const result = await run();
    assert.equal(result.status, 0, result.output);
    assert.equal(result.termination, `digest=${DIGEST}\n`);
    assert.equal(received.length, 2);
  });

  it('fails without a token, and without an image, before uploading anything', async () => {
    received.length = 0;
    const noToken = await run({ token: false });
    assert.match(noToken.termination, /^reason=PushFailed\nNo service account token at /);
    const noImage = await run({ layout: false });
    assert.match(noImage.termination, /^reason=PushFailed\nThe build step left no image at /);
    assert.equal(received.length, 0);
  });

  it('fails when the controller answers without a digest', async () => {
    answers = [() => ({ status: 200, body: 'ok\n' })];
    const result = await run();
    assert.match(result.termination, /^reason=PushFailed\nThe controller reported no digest/);
  });
});
