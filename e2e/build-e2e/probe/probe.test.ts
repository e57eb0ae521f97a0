// The credential probe must be able to fail: planted secrets and credential files are found.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderSecretsModule, writeProbeSources } from './probe-package.ts';

const secret = { label: 'the push password', value: `probe-self-test-${process.pid}-x9` };

function runProbe(root: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'probe-src-'));
  writeProbeSources(dir, [secret]);
  const result = spawnSync('python3', [join(dir, 'probe_backend.py')], { env: { PATH: process.env['PATH'] ?? '', IMAGESPEC_PROBE_ROOT: root, ...env }, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function scanRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'probe-root-'));
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc', 'harmless.conf'), 'nothing to see\n');
  return root;
}

test('the probe sources never contain a secret whole', () => {
  const module = renderSecretsModule([secret]);
  assert.doesNotMatch(module, new RegExp(secret.value));
  assert.match(module, /probe-self-/);
});

test('a clean tree passes and the probe says what it searched', () => {
  const result = runProbe(scanRoot());
  assert.equal(result.status, 0, result.output);
  assert.match(result.output, /scanned 1 files and \d+ processes under .*: no registry credentials found/);
});

test('a secret in a file fails the probe, naming the file', () => {
  const root = scanRoot();
  writeFileSync(join(root, 'etc', 'leak.json'), `{"password":"${secret.value}"}`);
  const result = runProbe(root);
  assert.equal(result.status, 1, result.output);
  assert.match(result.output, /FOUND registry credentials: the push password in .*leak\.json/);
});

test('a docker config file fails the probe even without a known secret', () => {
  const root = scanRoot();
  mkdirSync(join(root, 'root', '.docker'), { recursive: true });
  writeFileSync(join(root, 'root', '.docker', 'config.json'), '{}');
  const result = runProbe(root);
  assert.equal(result.status, 1, result.output);
  assert.match(result.output, /credential file .*\.docker\/config\.json/);
});

test('a secret in the environment fails the probe', () => {
  const result = runProbe(scanRoot(), { SOME_TOKEN: secret.value });
  assert.equal(result.status, 1, result.output);
  assert.match(result.output, /the push password in/);
});
