import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideCollection, memoryReducingCollection, startIdleCompaction, type QuietState } from './idle-compaction.ts';
import { createLogger } from './logger.ts';

/**
 * Feeds counter readings, one every 5 s (synced throughout unless given), and returns the readings
 * at which it collected. No minimum gap unless given.
 */
function run(readings: Array<number | [number, boolean]>, minGapMs = 0): number[] {
  let state: QuietState = { seen: 0, owed: true };
  const collectedAt: number[] = [];
  readings.forEach((reading, index) => {
    const [counter, synced] = typeof reading === 'number' ? [reading, true] : reading;
    const { collect, next } = decideCollection(state, { counter, synced, now: index * 5_000 }, minGapMs);
    if (collect) collectedAt.push(index);
    state = next;
  });
  return collectedAt;
}

test('collects once after the start-up fill, then once after each spell of work', () => {
  assert.deepEqual(run([0, 0, 0, 5, 9, 9, 9, 9, 12, 12]), [0, 5, 9]);
});

test('never while the caches fill, however still the counter stands', () => {
  assert.deepEqual(run([[0, false], [0, false], [0, false], 0, 0]), [3]);
});

test('never during continuous work', () => {
  assert.deepEqual(run([1, 2, 3, 4, 5, 6]), []);
});

test('a key that comes back every 10 s buys one collection a minute, not one per return', () => {
  // Work at every other look (every 10 s), quiet in between, for two minutes.
  const readings = Array.from({ length: 24 }, (_, i) => Math.ceil(i / 2));
  assert.deepEqual(run(readings, 60_000), [0, 12]);
  assert.equal(run(readings, 0).length, 12, 'without the gap: one per quiet look');
});

test('a quiet spell that comes too soon keeps the collection owed until the gap has passed', () => {
  // Collected at 0 s; work at 10 s, quiet from 15 s on: the next collection waits for 60 s.
  assert.deepEqual(run([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 60_000), [0, 12]);
});

test('the collection is there exactly when the process runs with --expose-gc', () => {
  assert.equal(memoryReducingCollection() !== undefined, typeof (globalThis as { gc?: unknown }).gc === 'function');
});

test('the timer collects after work goes quiet and stops when told', async () => {
  let counter = 0;
  let collections = 0;
  const stop = startIdleCompaction({
    workDone: () => counter,
    synced: () => true,
    collect: () => collections++,
    log: createLogger({ level: 'error', format: 'json' }),
    intervalMs: 5,
  });
  counter = 3;
  await waitUntil(() => collections === 1);
  stop();
  counter = 7;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(collections, 1, 'nothing after stop');
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition());
}
