import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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

test('stale content-named entries go with the chunks only they loaded; the current build, the fixed one and recent files stay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-prune-'));
  try {
    const now = Date.now();
    const hoursAgo = (hours: number) => new Date(now - hours * 60 * 60_000);
    const make = (name: string, text: string, at: Date) => {
      writeFileSync(join(dir, name), text);
      utimesSync(join(dir, name), at, at);
      return join(dir, name);
    };
    const current = make('main-CURRENT.js', 'import "./chunk-SHARED.js"', hoursAgo(3));
    make('chunk-SHARED.js', 'import "./chunk-DEEP.js"', hoursAgo(3));
    make('chunk-DEEP.js', '', hoursAgo(3));
    make('main.js', 'import "./chunk-FIXED.js"', hoursAgo(5));
    make('chunk-FIXED.js', '', hoursAgo(5));
    make('main-OLD.js', 'import "./chunk-OLDONLY.js"; import "./chunk-SHARED.js"', hoursAgo(2));
    make('main-OLD.js.map', '{}', hoursAgo(2));
    make('chunk-OLDONLY.js', '', hoursAgo(2));
    make('chunk-OLDONLY.js.map', '{}', hoursAgo(2));
    make('main-RECENT.js', 'import "./chunk-RECENT.js"', hoursAgo(0.1));
    make('chunk-RECENT.js', '', hoursAgo(0.1));
    make('chunk-ORPHAN.js', '', hoursAgo(0.5));
    make('main-X.js.123.tmp', '', hoursAgo(2));
    pruneStaleBundles(dir, new Set([current]), now);
    assert.deepEqual(readdirSync(dir).sort(), [
      'chunk-DEEP.js',
      'chunk-FIXED.js',
      'chunk-ORPHAN.js',
      'chunk-RECENT.js',
      'chunk-SHARED.js',
      'main-CURRENT.js',
      'main-RECENT.js',
      'main.js',
    ]);
    pruneStaleBundles(join(dir, 'absent'), new Set(), now);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Runs `script` against a cluster config that is never reached, with one bad setting: a controller
 * that loaded exits 2 naming the setting before it connects to anything.
 */
function assertRejectsSetting(script: string, name: string, value: string): void {
  const run = spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', KUBECONFIG: '/nonexistent/kubeconfig', IMAGESPEC_ENV_FILE: '/dev/null', [name]: value },
    timeout: 60_000,
  });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /invalid configuration/);
  assert.ok(run.stderr.includes(name), run.stderr);
}

test('the bundled controller runs on its own: it validates its configuration and names the bad setting', () => {
  const entry = currentBundle(repoRoot);
  assert.equal(join(entry, '..'), join(repoRoot, BUNDLE_DIR));
  assert.ok(existsSync(entry));
  assertRejectsSetting(entry, 'IMAGESPEC_WORKERS', 'many');
  const writtenAt = statSync(entry).mtimeMs;
  assert.equal(currentBundle(repoRoot), entry);
  assert.equal(statSync(entry).mtimeMs, writtenAt, 'built once per process: not written again');
});

test('npm start bundles the current sources and runs the bundle\'s main', () => {
  const startedAt = Date.now() - 1000;
  assertRejectsSetting(join(repoRoot, 'e2e', 'start.ts'), 'IMAGESPEC_LOG_LEVEL', 'loud');
  const dist = join(repoRoot, BUNDLE_DIR);
  const written = readdirSync(dist).filter((name) => /^main-[A-Z0-9]+\.js$/.test(name) && statSync(join(dist, name)).mtimeMs >= startedAt);
  assert.ok(written.length > 0, 'npm start wrote the bundle it ran');
});
