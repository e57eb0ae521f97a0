import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import winston from 'winston';
import type { Liveness } from './runtime/health.ts';
import { startHttpServer } from './runtime/http-server.ts';
import { Metrics } from './runtime/metrics.ts';
import { httpSettings, probe } from './probe.ts';

const log = winston.createLogger({ silent: true });
const script = fileURLToPath(new URL('./probe.ts', import.meta.url));

function runProbe(path: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, path], { env: { PATH: process.env.PATH ?? '', IMAGESPEC_ENV_FILE: '/dev/null', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

async function serving(t: import('node:test').TestContext, live: () => Liveness) {
  const dir = mkdtempSync(join(tmpdir(), 'imagespec-probe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const portFile = join(dir, 'port');
  const registry = new Metrics({ processMetrics: false }).registry;
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', portFile, ready: () => true, live, registry, log });
  t.after(() => server.close());
  return { dir, portFile, port: server.port };
}

test('the probe finds the port in the port file and succeeds only on 200', async (t) => {
  let live: Liveness = { ok: true };
  const { portFile, port } = await serving(t, () => live);
  assert.deepEqual(await probe('/readyz', { port: 0, portFile }), { ok: true, detail: '200 ok' });
  assert.equal((await probe('/readyz', { port })).ok, true, 'without a port file it uses the port');
  live = { ok: false, detail: 'stuck' };
  assert.deepEqual(await probe('/healthz', { port: 0, portFile }), { ok: false, detail: '500 stuck' });
  assert.equal((await probe('/nowhere', { port: 0, portFile })).ok, false);
});

test('the probe fails when the port cannot be known', async (t) => {
  const { dir } = await serving(t, () => ({ ok: true }));
  assert.match((await probe('/readyz', { port: 0, portFile: join(dir, 'missing') })).detail, /ENOENT/);
  const garbage = join(dir, 'garbage');
  writeFileSync(garbage, 'eighty\n');
  assert.match((await probe('/readyz', { port: 0, portFile: garbage })).detail, /does not hold a port/);
  assert.match((await probe('/readyz', { port: 0 })).detail, /port is unknown/);
});

test('as a command it exits 0 on 200 and 1 otherwise', async (t) => {
  const { dir, portFile } = await serving(t, () => ({ ok: false, detail: 'stuck' }));
  assert.deepEqual(await runProbe('/readyz', { IMAGESPEC_HTTP_PORT_FILE: portFile }), { code: 0, output: '200 ok\n' });
  assert.equal((await runProbe('/healthz', { IMAGESPEC_HTTP_PORT_FILE: portFile })).code, 1);
  assert.equal((await runProbe('/readyz', { IMAGESPEC_HTTP_PORT_FILE: join(dir, 'missing') })).code, 1);
  assert.equal((await runProbe('readyz', { IMAGESPEC_HTTP_PORT_FILE: portFile })).code, 1);
});

test('the HTTP settings come from the environment, else the .env file, else the defaults', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'imagespec-probe-env-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(httpSettings({}, dir), { port: 8080, portFile: undefined });
  writeFileSync(join(dir, '.env'), 'IMAGESPEC_HTTP_PORT=9090\nIMAGESPEC_HTTP_PORT_FILE=/run/port\n');
  assert.deepEqual(httpSettings({}, dir), { port: 9090, portFile: '/run/port' });
  assert.deepEqual(httpSettings({ IMAGESPEC_HTTP_PORT: '0' }, dir), { port: 0, portFile: '/run/port' });
  const named = join(dir, 'admin.env');
  writeFileSync(named, 'IMAGESPEC_HTTP_PORT=7070\n');
  assert.deepEqual(httpSettings({ IMAGESPEC_ENV_FILE: named }, dir), { port: 7070, portFile: undefined });
  assert.throws(() => httpSettings({ IMAGESPEC_HTTP_PORT: 'http' }, dir), /not a port/);
});
