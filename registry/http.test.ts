// HttpSender against a node:http server on loopback that plays the other side of each case.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { conciseTransportMessage, HttpSender, MAX_ANSWER_BYTES, TransportError } from './http.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const handlers = new Map<string, Handler>();
let server: Server;
let base: URL;
const sender = new HttpSender({ insecureTls: false, timeoutMs: 60_000 });
/** Only for the case that waits for the deadline: everything else must never meet it. */
const impatient = new HttpSender({ insecureTls: false, timeoutMs: 300 });

before(async () => {
  server = createServer((request, response) => handlers.get(new URL(request.url ?? '/', 'http://x').pathname)?.(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});
after(async () => {
  sender.close();
  impatient.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** What the server saw of a request body: its length, its sha256, and whether it came whole. */
function receive(request: IncomingMessage): Promise<{ length: number; sha256: string; complete: boolean }> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
    });
    request.on('end', () => resolve({ length, sha256: hash.digest('hex'), complete: true }));
    request.on('close', () => resolve({ length, sha256: '', complete: request.complete }));
  });
}

async function* chunks(count: number, size: number, failAfter?: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) {
    if (i === failAfter) throw new Error('the source broke');
    yield Buffer.alloc(size, i % 251);
  }
}

test('a streamed body goes out whole under its Content-Length', async () => {
  const seen = new Promise<{ length: number; sha256: string; contentLength: string | undefined }>((resolve) => {
    handlers.set('/streamed', async (request, response) => {
      const body = await receive(request);
      response.writeHead(201).end();
      resolve({ length: body.length, sha256: body.sha256, contentLength: request.headers['content-length'] });
    });
  });
  const expected = createHash('sha256');
  for await (const chunk of chunks(80, 65536)) expected.update(chunk);
  const answer = await sender.send({ method: 'PUT', url: new URL('/streamed', base), body: { size: 80 * 65536, chunks: chunks(80, 65536) } });
  assert.equal(answer.status, 201);
  assert.deepEqual(await seen, { length: 80 * 65536, sha256: expected.digest('hex'), contentLength: String(80 * 65536) });
});

test("the source's own error is thrown as is, and the server never gets a complete body", async () => {
  const seen = new Promise<boolean>((resolve) => handlers.set('/broken', async (request) => resolve((await receive(request)).complete)));
  await assert.rejects(sender.send({ method: 'PUT', url: new URL('/broken', base), body: { size: 10 * 65536, chunks: chunks(10, 65536, 5) } }), /^Error: the source broke$/);
  assert.equal(await seen, false);
});

test('an answer that comes before the body is sent ends the sending', async () => {
  handlers.set('/early', (_request, response) => response.writeHead(413, { 'Content-Type': 'text/plain' }).end('too large'));
  const endless = { size: Number.MAX_SAFE_INTEGER, chunks: chunks(Number.MAX_SAFE_INTEGER, 65536) };
  const answer = await sender.send({ method: 'PUT', url: new URL('/early', base), body: endless });
  assert.equal(answer.status, 413);
  assert.equal(answer.body.toString(), 'too large');
});

test('a server that never answers fails the request at the deadline', async () => {
  handlers.set('/silent', () => undefined);
  await assert.rejects(impatient.send({ method: 'GET', url: new URL('/silent', base) }), (error) => error instanceof TransportError && /no answer within/.test(error.message));
});

test('an abort rejects with the signal reason', async () => {
  handlers.set('/slow', () => undefined);
  const controller = new AbortController();
  const sending = sender.send({ method: 'GET', url: new URL('/slow', base), signal: controller.signal });
  controller.abort(new Error('the caller went away'));
  await assert.rejects(sending, /the caller went away/);
});

test('an answer body is kept up to the cap; a refused connection is a TransportError', async () => {
  handlers.set('/large', (_request, response) => response.writeHead(200).end(Buffer.alloc(MAX_ANSWER_BYTES + 5000, 1)));
  assert.equal((await sender.send({ method: 'GET', url: new URL('/large', base) })).body.length, MAX_ANSWER_BYTES);
  await assert.rejects(sender.send({ method: 'GET', url: new URL('http://127.0.0.1:1/') }), (error) => error instanceof TransportError && /ECONNREFUSED/.test(error.message));
});

test('OpenSSL errors become one short line', () => {
  const openssl = new Error('write EPROTO 40A3:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number:../deps/openssl/x.c:78:\n');
  assert.equal(conciseTransportMessage(openssl), 'TLS failed (wrong version number)');
  assert.equal(conciseTransportMessage(new Error('connect ECONNREFUSED 127.0.0.1:1')), 'connect ECONNREFUSED 127.0.0.1:1');
});
