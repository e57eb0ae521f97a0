import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants, type EnableCompileCacheOptions, type EnableCompileCacheResult } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCacheCandidates, enableFirstUsable, projectRootAbove, type CompileCacheCandidate } from './compile-cache.ts';

const { ENABLED, ALREADY_ENABLED, DISABLED, FAILED } = constants.compileCacheStatus;

const candidates: CompileCacheCandidate[] = [
  { directory: '/app/cache', portable: true },
  { directory: '/tmp/cache', portable: false },
];

/** An enable function answering per directory, recording what it was asked. */
function fakeEnable(answers: Record<string, EnableCompileCacheResult | Error>) {
  const asked: EnableCompileCacheOptions[] = [];
  const enable = (options: EnableCompileCacheOptions): EnableCompileCacheResult => {
    asked.push(options);
    const answer = answers[options.directory ?? ''];
    if (answer instanceof Error) throw answer;
    return answer ?? { status: FAILED, message: 'unexpected directory' };
  };
  return { enable, asked };
}

test('the project directory comes first and is portable; the temporary directory is per user', () => {
  assert.deepEqual(compileCacheCandidates('/app', '/tmp'), [
    { directory: '/app/node_modules/.cache/imagespec-controller/compile-cache', portable: true },
    { directory: '/tmp/imagespec-controller-compile-cache', portable: false },
  ]);
});

test('the first directory Node accepts is used, with its portability', () => {
  const { enable, asked } = fakeEnable({ '/app/cache': { status: ENABLED, directory: '/app/cache/v26' } });
  assert.deepEqual(enableFirstUsable(candidates, enable), { status: 'enabled', directory: '/app/cache/v26', failures: [] });
  assert.deepEqual(asked, [{ directory: '/app/cache', portable: true }]);
});

test('a directory Node refuses, or an exception, moves on to the next and is reported', () => {
  const refused = fakeEnable({
    '/app/cache': { status: FAILED, message: 'Cannot create cache directory: read-only file system' },
    '/tmp/cache': { status: ENABLED, directory: '/tmp/cache/v26-1000' },
  });
  assert.deepEqual(enableFirstUsable(candidates, refused.enable), {
    status: 'enabled',
    directory: '/tmp/cache/v26-1000',
    failures: ['/app/cache: Cannot create cache directory: read-only file system'],
  });
  assert.deepEqual(refused.asked, candidates);

  const thrown = fakeEnable({ '/app/cache': new Error('boom'), '/tmp/cache': { status: ENABLED, directory: '/tmp/cache/v26-0' } });
  assert.deepEqual(enableFirstUsable(candidates, thrown.enable), { status: 'enabled', directory: '/tmp/cache/v26-0', failures: ['/app/cache: boom'] });
});

test('a cache the environment turned on, or turned off, is left as it is', () => {
  const already = fakeEnable({ '/app/cache': { status: ALREADY_ENABLED, directory: '/env/cache/v26' } });
  assert.deepEqual(enableFirstUsable(candidates, already.enable), { status: 'already-enabled', directory: '/env/cache/v26', failures: [] });
  const disabled = fakeEnable({ '/app/cache': { status: DISABLED } });
  assert.deepEqual(enableFirstUsable(candidates, disabled.enable), { status: 'disabled', failures: [] });
  assert.equal(disabled.asked.length, 1);
});

test('no usable directory: failed, with every reason, and nothing thrown', () => {
  const { enable } = fakeEnable({ '/app/cache': { status: FAILED }, '/tmp/cache': { status: FAILED, message: 'no space' } });
  assert.deepEqual(enableFirstUsable(candidates, enable), { status: 'failed', failures: ['/app/cache: not usable', '/tmp/cache: no space'] });
});

type ChildOutcome = { status: string; directory?: string };

/** A child Node turns the cache on with the given candidates, then loads a module (one it compiles with the cache on). */
function childOutcome(tried: CompileCacheCandidate[], env: Record<string, string> = {}): ChildOutcome {
  const script = [
    `const { enableFirstUsable } = await import(${JSON.stringify(new URL('./compile-cache.ts', import.meta.url).href)});`,
    `const outcome = enableFirstUsable(${JSON.stringify(tried)});`,
    `const { Stopwatches } = await import(${JSON.stringify(new URL('./stopwatch.ts', import.meta.url).href)});`,
    `if (typeof Stopwatches !== 'function') throw new Error('the module did not load');`,
    `process.stdout.write(JSON.stringify(outcome));`,
  ].join('\n');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as ChildOutcome;
}

test('in a real Node, a directory that cannot be created falls back to the next, which is filled', (t) => {
  const work = mkdtempSync(join(tmpdir(), 'compile-cache-test-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  // Under a regular file: no directory can be created there, not even by root.
  writeFileSync(join(work, 'file'), '');
  const fallback = join(work, 'fallback');
  const outcome = childOutcome([
    { directory: join(work, 'file', 'cache'), portable: true },
    { directory: fallback, portable: false },
  ]);
  assert.equal(outcome.status, 'enabled');
  assert.equal(outcome.directory, fallback);
  const [versionDir] = readdirSync(fallback);
  assert.ok(versionDir && readdirSync(join(fallback, versionDir)).length > 0, 'the child wrote its entries at exit');
});

test('in a real Node, NODE_COMPILE_CACHE wins and NODE_DISABLE_COMPILE_CACHE keeps it off', (t) => {
  const work = mkdtempSync(join(tmpdir(), 'compile-cache-test-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const ours = [{ directory: join(work, 'ours'), portable: true }];
  const fromEnv = childOutcome(ours, { NODE_COMPILE_CACHE: join(work, 'env') });
  assert.equal(fromEnv.status, 'already-enabled');
  assert.ok(fromEnv.directory?.startsWith(join(work, 'env')), String(fromEnv.directory));
  assert.equal(childOutcome(ours, { NODE_DISABLE_COMPILE_CACHE: '1' }).status, 'disabled');
  assert.deepEqual(readdirSync(work), ['env']);
});

test('the project root is the nearest directory with a package.json, from the sources and from the bundle alike', () => {
  const root = mkdtempSync(join(tmpdir(), 'project-root-'));
  try {
    writeFileSync(join(root, 'package.json'), '{}');
    for (const dir of ['controllers/runtime', 'dist']) mkdirSync(join(root, dir), { recursive: true });
    assert.equal(projectRootAbove(join(root, 'controllers', 'runtime')), root);
    assert.equal(projectRootAbove(join(root, 'dist')), root);
    assert.equal(projectRootAbove(root), root);
    assert.equal(projectRootAbove('/'), '/', 'none found: the directory itself');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
