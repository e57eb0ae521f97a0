import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { Metrics } from './metrics.ts';
import { sample } from './metric-sample.ts';
import { outcomeOf, runWorkers } from './worker.ts';
import { WorkQueue } from './workqueue.ts';

const log = winston.createLogger({ silent: true });

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (await check()) return;
    await sleep(5);
  }
  assert.fail(`gave up waiting for ${what}`);
}

test('outcomes use controller-runtime\'s names', () => {
  assert.equal(outcomeOf(undefined), 'success');
  assert.equal(outcomeOf({}), 'success');
  assert.equal(outcomeOf({ requeueAfterMs: 10_000 }), 'requeue_after');
  assert.equal(outcomeOf({ requeueAfterMs: 0 }), 'requeue');
});

test('reconcile metrics count outcomes, errors, durations and busy workers', async () => {
  let now = 0;
  const clock = () => now;
  const metrics = new Metrics({ processMetrics: false, clock });
  const queue = new WorkQueue({ baseDelayMs: 1, maxDelayMs: 1 }, { metrics: metrics.workQueue('things'), clock });
  const read = (name: string, labels: Record<string, string> = { controller: 'things' }) => sample(metrics.registry, name, labels);
  const result = (outcome: string) => read('controller_runtime_reconcile_total', { controller: 'things', result: outcome });

  const calls: string[] = [];
  let release!: () => void;
  const blocked = new Promise<void>((resolve) => (release = resolve));
  const workers = runWorkers({
    kind: 'Thing',
    queue,
    workers: 2,
    log,
    clock,
    metrics: metrics.controller('things'),
    reconcile: async (key) => {
      calls.push(key);
      const attempt = calls.filter((k) => k === key).length;
      if (key === 'ns/block') {
        await blocked;
        now += 3000;
      }
      if (key === 'ns/flaky' && attempt === 1) throw new Error('transient');
      if (key === 'ns/later') return { requeueAfterMs: 60_000 };
      if (key === 'ns/again' && attempt === 1) return { requeueAfterMs: 0 };
    },
  });

  assert.equal(await read('controller_runtime_max_concurrent_reconciles'), 2);
  assert.equal(await result('error'), 0, 'series exist before the first reconcile');

  queue.add('ns/block');
  await until('the blocking reconcile to start', () => calls.includes('ns/block'));
  assert.equal(await read('controller_runtime_active_workers'), 1);
  for (const key of ['ns/ok', 'ns/flaky', 'ns/later', 'ns/again']) queue.add(key);
  await until('the other keys to settle', async () => (await read('controller_runtime_reconcile_total', { controller: 'things', result: 'success' })) === 3);
  assert.equal(await read('controller_runtime_active_workers'), 1, 'the blocked worker is still busy');

  release();
  await until('the blocked reconcile to finish', async () => (await result('success')) === 4);
  assert.equal(await read('controller_runtime_active_workers'), 0);
  assert.equal(await result('error'), 1);
  assert.equal(await read('controller_runtime_reconcile_errors_total'), 1);
  assert.equal(await result('requeue_after'), 1);
  assert.equal(await result('requeue'), 1);
  assert.equal(await read('controller_runtime_reconcile_time_seconds_count'), 7);
  assert.equal(await read('controller_runtime_reconcile_time_seconds_sum'), 3, 'only the blocked reconcile took clock time');
  assert.equal(await read('workqueue_retries_total', { name: 'things' }), 1);
  assert.equal(await read('workqueue_work_duration_seconds_count', { name: 'things' }), 7);

  queue.shutDown();
  await workers;
});

test('a 429 retries the key no sooner than its Retry-After, even with a short backoff', async () => {
  const { ApiException } = await import('@kubernetes/client-node');
  const queue = new WorkQueue({ baseDelayMs: 1, maxDelayMs: 1 });
  const delays: number[] = [];
  const addAfter = queue.addAfter.bind(queue);
  queue.addAfter = (key: string, delayMs: number) => {
    delays.push(delayMs);
    addAfter(key, delayMs);
  };
  let calls = 0;
  const workers = runWorkers({
    kind: 'Thing',
    queue,
    workers: 1,
    log,
    reconcile: async () => {
      calls += 1;
      if (calls === 1) throw new ApiException(429, 'Too Many Requests', '{}', { 'retry-after': '2' });
    },
  });
  queue.add('ns/a');
  await until('the first reconcile', () => calls === 1 && delays.length === 1);
  assert.deepEqual(delays, [2000]);
  queue.shutDown();
  await workers;
});
