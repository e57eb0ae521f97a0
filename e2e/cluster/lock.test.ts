import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { acquireLock, lockHolder } from './lock.ts';
import { portsTakenMessage } from './machine.ts';

const dir = mkdtempSync(join(tmpdir(), 'imagespec-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const quiet = { log: () => undefined };

/** A separate process that takes the lock, writes start and end lines around a pause, and releases it. */
const CONTENDER = `
import { appendFileSync } from 'node:fs';
import { withLock } from ${JSON.stringify(new URL('./lock.ts', import.meta.url).pathname)};
const [lock, journal] = process.argv.slice(2);
await withLock(lock, { what: 'the test', log: () => {}, timeoutMs: 60000, pollMs: 20 }, async () => {
  appendFileSync(journal, 'start ' + process.pid + '\\n');
  await new Promise((resolve) => setTimeout(resolve, 150));
  appendFileSync(journal, 'end ' + process.pid + '\\n');
});
`;

test('processes that take the lock at once run one after another', async () => {
  const lock = join(dir, 'contended.lock');
  const journal = join(dir, 'journal');
  const script = join(dir, 'contender.mjs');
  writeFileSync(script, CONTENDER);
  const children = Array.from({ length: 4 }, () => spawn(process.execPath, [script, lock, journal], { stdio: 'inherit' }));
  const codes = await Promise.all(children.map(async (child) => (await once(child, 'exit'))[0]));
  assert.deepEqual(codes, [0, 0, 0, 0]);
  const lines = readFileSync(journal, 'utf8').trim().split('\n');
  assert.equal(lines.length, 8);
  for (let i = 0; i < lines.length; i += 2) {
    const [start, end] = [lines[i]!.split(' '), lines[i + 1]!.split(' ')];
    assert.deepEqual([start[0], end[0], start[1]], ['start', 'end', end[1]], `no overlap:\n${lines.join('\n')}`);
  }
  assert.equal(existsSync(lock), false, 'released');
});

test('a lock whose holder is gone is taken over', async () => {
  const lock = join(dir, 'stale.lock');
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(lock, `${gone}\n`);
  const release = await acquireLock(lock, { ...quiet, what: 'the test', timeoutMs: 5_000 });
  assert.equal(lockHolder(lock), process.pid);
  release();
  assert.equal(existsSync(lock), false);
});

test('a lock held by a live process is waited for, and given up at the deadline with a message', async () => {
  const lock = join(dir, 'held.lock');
  const holder = spawn('sleep', ['30']);
  try {
    writeFileSync(lock, `${holder.pid}\n`);
    const said: string[] = [];
    await assert.rejects(
      acquireLock(lock, { what: 'the other start', log: (line) => said.push(line), timeoutMs: 300, pollMs: 20 }),
      new RegExp(`Gave up waiting for the other start after 0 s: pid ${holder.pid} holds`),
    );
    assert.deepEqual(said, [`Waiting for the other start: another process (pid ${holder.pid}) holds ${lock}`]);
  } finally {
    holder.kill();
  }
});

test('another checkout\'s running cluster on the fixed ports is refused, saying where it runs', () => {
  const mine = '/home/a/imagespec-controller/.cluster';
  const theirs = '/tmp/ci-clone/.cluster';
  const message = portsTakenMessage(mine, theirs, () => true);
  assert.match(message ?? '', /Another checkout's local cluster is running on this machine's fixed ports/);
  assert.match(message ?? '', /stop it with `npm run cluster:down` in \/tmp\/ci-clone/);
  assert.equal(portsTakenMessage(mine, theirs, () => false), undefined, 'a stopped cluster leaves the ports free');
  assert.equal(portsTakenMessage(mine, mine, () => true), undefined, 'our own cluster is reused');
  assert.equal(portsTakenMessage(mine, undefined, () => true), undefined);
});
