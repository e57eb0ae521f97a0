// How the benchmark issues many requests: a fixed number in flight, or a steady rate.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `worker` over every item with at most `concurrency` running at once; the first failure
 * stops new items from starting and rejects once the running ones have ended.
 */
export async function runPool<T>(items: readonly T[], concurrency: number, worker: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        await worker(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (failure) throw failure.error;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/**
 * Starts `action(i)` for i = 0..count-1 at a steady `perSecond`, each at its own time from the
 * start whether or not earlier ones have answered (a slow answer does not slow the rate), and
 * resolves with every result once all have ended.
 */
export async function runPaced<T>(count: number, perSecond: number, action: (index: number) => Promise<T>, clock: Clock = realClock): Promise<T[]> {
  const start = clock.now();
  const started: Promise<T>[] = [];
  for (let i = 0; i < count; i += 1) {
    const wait = start + (i * 1000) / perSecond - clock.now();
    if (wait > 0) await clock.sleep(wait);
    started.push(action(i));
  }
  return Promise.all(started);
}
