import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { OutputFile } from 'esbuild';
import { repoRoot } from '../e2e/cluster/paths.ts';
import { BUNDLE_DIR, bundleOptions, currentBundle, entryFile, pruneStaleBundles, writeFiles } from './bundle.ts';

const output = (path: string, text: string): OutputFile => {
  const contents = new TextEncoder().encode(text);
  return { path, contents, text, hash: '' };
};

test('one minified ES module entry with split chunks, side by side one level below the root', () => {
  const options = bundleOptions('/repo', '/repo/dist', true);
  assert.deepEqual(options.entryPoints, ['/repo/controllers/main.ts']);
  assert.equal(options.outdir, '/repo/dist');
  assert.equal(options.format, 'esm');
  assert.equal(options.splitting, true, 'dynamic imports after the compile cache is on stay separate files');
  assert.equal(options.minify, true);
  assert.equal(options.entryNames, '[name]-[hash]');
  assert.doesNotMatch(String(options.chunkNames), /\//, 'chunks beside the entry: modules find ../templates/ from them');
  assert.equal(bundleOptions('/repo', '/app/dist', false).entryNames, '[name]', 'the image runs dist/main.js');
  assert.match(String(options.banner?.js), /createRequire/, 'CommonJS dependencies get a require()');
});

test('the entry is found among the chunks, and is written last, each file by rename', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-write-'));
  try {
    const files = [output(join(dir, 'main-ABC123.js'), 'entry'), output(join(dir, 'chunk-XYZ.js'), 'chunk')];
    assert.equal(basename(entryFile(files).path), 'main-ABC123.js');
    assert.throws(() => entryFile([files[1]!]), /no entry file among chunk-XYZ\.js/);
    writeFiles(files);
    assert.deepEqual(readdirSync(dir).sort(), ['chunk-XYZ.js', 'main-ABC123.js'], 'no temporary file left');
    assert.equal(readFileSync(join(dir, 'main-ABC123.js'), 'utf8'), 'entry');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bundles older than an hour go, the current one and recent ones stay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-prune-'));
  try {
    const now = Date.now();
    const make = (name: string, ageMs: number) => {
      writeFileSync(join(dir, name), name);
      const at = new Date(now - ageMs);
      utimesSync(join(dir, name), at, at);
      return join(dir, name);
    };
    const current = make('main-CURRENT.js', 3 * 60 * 60_000);
    make('main-OLD.js', 2 * 60 * 60_000);
    make('chunk-RECENT.js', 60_000);
    pruneStaleBundles(dir, new Set([current]), now);
    assert.deepEqual(readdirSync(dir).sort(), ['chunk-RECENT.js', 'main-CURRENT.js']);
    pruneStaleBundles(join(dir, 'absent'), new Set(), now);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundled controller runs on its own: it validates its configuration and names the bad setting', () => {
  const entry = currentBundle(repoRoot);
  assert.equal(join(entry, '..'), join(repoRoot, BUNDLE_DIR));
  assert.ok(existsSync(entry));
  const run = spawnSync(process.execPath, [entry], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', KUBECONFIG: '/nonexistent/kubeconfig', IMAGESPEC_ENV_FILE: '/dev/null', IMAGESPEC_WORKERS: 'many' },
    timeout: 60_000,
  });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /invalid configuration/);
  assert.match(run.stderr, /IMAGESPEC_WORKERS/);
  assert.equal(currentBundle(repoRoot), entry, 'built once per process');
});
