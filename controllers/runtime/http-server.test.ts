import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import type { Liveness } from './health.ts';
import { startHttpServer } from './http-server.ts';
import { Metrics } from './metrics.ts';

const log = winston.createLogger({ silent: true });

async function get(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

test('healthz, readyz and metrics answer from the functions given; anything else is 404', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'imagespec-http-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const metrics = new Metrics({ processMetrics: false });
  metrics.controller('imagespec');
  let ready = false;
  let live: Liveness = { ok: true };
  const portFile = join(dir, 'port');
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', portFile, ready: () => ready, live: () => live, registry: metrics.registry, log });
  t.after(() => server.close());

  assert.ok(server.port > 0);
  assert.equal(readFileSync(portFile, 'utf8'), `${server.port}\n`, 'the bound port is written for exec probes');

  assert.deepEqual(await get(server.port, '/healthz'), { status: 200, body: 'ok\n', type: 'text/plain; charset=utf-8' });
  assert.equal((await get(server.port, '/readyz')).status, 503);
  ready = true;
  assert.deepEqual(await get(server.port, '/readyz?verbose'), { status: 200, body: 'ok\n', type: 'text/plain; charset=utf-8' });

  live = { ok: false, detail: 'Reconciles running longer than 600 s: imagespec ns/a for 601 s' };
  const unhealthy = await get(server.port, '/healthz');
  assert.equal(unhealthy.status, 500);
  assert.match(unhealthy.body, /imagespec ns\/a for 601 s/);

  const scraped = await get(server.port, '/metrics');
  assert.equal(scraped.status, 200);
  assert.match(scraped.type ?? '', /^text\/plain; version=0\.0\.4/);
  assert.match(scraped.body, /^controller_runtime_active_workers\{controller="imagespec"\} 0$/m);

  assert.equal((await get(server.port, '/')).status, 404);
  assert.equal((await get(server.port, '/metricsx')).status, 404);
  assert.equal((await get(server.port, '/healthz', 'POST')).status, 405);
  const head = await get(server.port, '/readyz', 'HEAD');
  assert.deepEqual([head.status, head.body], [200, '']);
});

test('close frees the port, even with a keep-alive connection open', async () => {
  const metrics = new Metrics({ processMetrics: false });
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', ready: () => true, live: () => ({ ok: true }), registry: metrics.registry, log });
  assert.equal((await get(server.port, '/readyz')).status, 200);
  await server.close();
  await assert.rejects(get(server.port, '/readyz'));
});

test('a port already in use is an error, not a silent second server', async (t) => {
  const metrics = new Metrics({ processMetrics: false });
  const options = { host: '127.0.0.1', ready: () => true, live: () => ({ ok: true }), registry: metrics.registry, log };
  const first = await startHttpServer({ ...options, port: 0 });
  t.after(() => first.close());
  await assert.rejects(startHttpServer({ ...options, port: first.port }), /EADDRINUSE/);
});
