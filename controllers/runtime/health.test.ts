import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workersLiveness } from './health.ts';
import { WorkQueue } from './workqueue.ts';

test('workers are live until a held key passes the bound, which the detail names', async () => {
  let now = 0;
  const queue = new WorkQueue(undefined, { clock: () => now });
  const idle = new WorkQueue(undefined, { clock: () => now });
  const queues = [
    { controller: 'imagespecjob', held: () => queue.held() },
    { controller: 'imagespec', held: () => idle.held() },
  ];
  assert.deepEqual(workersLiveness(queues, 60_000), { ok: true });

  queue.add('ns/slow');
  assert.equal(await queue.get(), 'ns/slow');
  now = 60_000;
  assert.equal(workersLiveness(queues, 60_000).ok, true, 'exactly the bound is not stuck yet');
  now = 61_000;
  const stuck = workersLiveness(queues, 60_000);
  assert.equal(stuck.ok, false);
  assert.equal(stuck.detail, 'Reconciles running longer than 60 s: imagespecjob ns/slow for 61 s');

  queue.done('ns/slow');
  assert.deepEqual(workersLiveness(queues, 60_000), { ok: true }, 'a finished reconcile frees the worker');
});
