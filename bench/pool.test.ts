import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPaced, runPool, type Clock } from './pool.ts';

/** A worker that finishes when told to, so the test decides the order, not timing. */
function gate() {
  const waiting: Array<() => void> = [];
  return {
    wait: () => new Promise<void>((resolve) => waiting.push(resolve)),
    releaseOne: () => waiting.shift()?.(),
    get pending() {
      return waiting.length;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('runPool keeps at most `concurrency` items in flight and runs every item once', async () => {
  const g = gate();
  const seen: number[] = [];
  const done = runPool([10, 11, 12, 13, 14], 2, async (item) => {
    seen.push(item);
    await g.wait();
  });
  for (let round = 0; round < 5; round += 1) {
    await settle();
    assert.ok(g.pending <= 2, `${g.pending} in flight`);
    g.releaseOne();
  }
  await done;
  assert.deepEqual(seen, [10, 11, 12, 13, 14]);
});

test('runPool stops starting items after a failure and rejects with it', async () => {
  const seen: number[] = [];
  await assert.rejects(
    runPool([1, 2, 3, 4, 5, 6], 1, async (item) => {
      seen.push(item);
      if (item === 2) throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(seen, [1, 2]);
});

test('runPaced starts each action at its slot without waiting for earlier ones', async () => {
  let now = 0;
  const clock: Clock = { now: () => now, sleep: async (ms) => void (now += ms) };
  const startedAt: number[] = [];
  const g = gate();
  const results = runPaced(
    4,
    20,
    async (i) => {
      startedAt.push(now);
      if (i === 0) await g.wait(); // the first answer is slow: the others start anyway
      return i * 10;
    },
    clock,
  );
  await settle();
  assert.deepEqual(startedAt, [0, 50, 100, 150]);
  g.releaseOne();
  assert.deepEqual(await results, [0, 10, 20, 30]);
});
