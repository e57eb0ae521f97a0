import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, backoffDelay } from './workqueue.ts';
import { Metrics } from './metrics.ts';
import { sample } from './metric-sample.ts';

test('a key added several times before it is taken is processed once', async () => {
  const queue = new WorkQueue();
  queue.add('ns/a');
  queue.add('ns/b');
  queue.add('ns/a');
  queue.add('ns/a');
  assert.equal(queue.length, 2);
  assert.equal(await queue.get(), 'ns/a');
  assert.equal(await queue.get(), 'ns/b');
  assert.equal(queue.length, 0);
});

test('a key is never handed out twice at once; an add during processing re-queues it on done', async () => {
  const queue = new WorkQueue();
  queue.add('ns/a');
  const first = await queue.get();
  assert.equal(first, 'ns/a');
  queue.add('ns/a');
  assert.equal(queue.length, 0, 'the key must wait while a worker holds it');
  queue.done('ns/a');
  assert.equal(queue.length, 1);
  assert.equal(await queue.get(), 'ns/a');
  queue.done('ns/a');
  assert.equal(queue.length, 0);
});

test('a waiting worker receives a key as soon as it is added', async () => {
  const queue = new WorkQueue();
  const pending = queue.get();
  queue.add('ns/x');
  assert.equal(await pending, 'ns/x');
  assert.equal(queue.processingCount, 1);
});

test('shutDown releases waiting workers with undefined', async () => {
  const queue = new WorkQueue();
  const pending = queue.get();
  queue.shutDown();
  assert.equal(await pending, undefined);
  queue.add('ns/late');
  assert.equal(queue.length, 0);
});

test('backoff grows per key and is capped; forget resets it', () => {
  const options = { baseDelayMs: 10, maxDelayMs: 100 };
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, options)), [10, 20, 40, 80, 100, 100]);
  const queue = new WorkQueue({ baseDelayMs: 1000, maxDelayMs: 60_000 });
  assert.equal(queue.addRateLimited('ns/a'), 1000);
  assert.equal(queue.addRateLimited('ns/a'), 2000);
  assert.equal(queue.addRateLimited('ns/b'), 1000, 'backoff is per key');
  assert.equal(queue.retries('ns/a'), 2);
  queue.forget('ns/a');
  assert.equal(queue.retries('ns/a'), 0);
  queue.shutDown();
});

test('addAfter queues the key once its delay has passed, and the earliest delay wins', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const queue = new WorkQueue();
  queue.addAfter('ns/a', 5000);
  queue.addAfter('ns/a', 1000);
  t.mock.timers.tick(999);
  assert.equal(queue.length, 0);
  t.mock.timers.tick(1);
  assert.equal(queue.length, 1);
  t.mock.timers.tick(10_000);
  assert.equal(queue.length, 1, 'the superseded later timer must not add it twice');
  queue.shutDown();
});

function manualClock() {
  let now = 0;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

test('metrics follow adds, de-duplication, waiting, work and retries', async () => {
  const time = manualClock();
  const metrics = new Metrics({ processMetrics: false, clock: time.clock });
  const queue = new WorkQueue({ baseDelayMs: 1000, maxDelayMs: 60_000 }, { metrics: metrics.workQueue('jobs'), clock: time.clock });
  const read = (name: string) => sample(metrics.registry, name, { name: 'jobs' });

  queue.add('ns/a');
  queue.add('ns/a');
  queue.add('ns/b');
  assert.equal(await read('workqueue_adds_total'), 2, 'a duplicate of a waiting key is not an add');
  assert.equal(await read('workqueue_depth'), 2);

  time.advance(250);
  assert.equal(await queue.get(), 'ns/a');
  assert.equal(await read('workqueue_depth'), 1);
  assert.equal(await read('workqueue_queue_duration_seconds_count'), 1);
  assert.equal(await read('workqueue_queue_duration_seconds_sum'), 0.25);

  time.advance(2000);
  assert.equal(await read('workqueue_unfinished_work_seconds'), 2);
  assert.equal(await read('workqueue_longest_running_processor_seconds'), 2);
  queue.add('ns/a');
  assert.equal(await read('workqueue_adds_total'), 3, 'an add while held counts: it will be processed again');
  queue.done('ns/a');
  assert.equal(await read('workqueue_work_duration_seconds_count'), 1);
  assert.equal(await read('workqueue_work_duration_seconds_sum'), 2);
  assert.equal(await read('workqueue_depth'), 2, 'done put the re-added key back');
  assert.equal(await read('workqueue_unfinished_work_seconds'), 0);

  queue.addRateLimited('ns/c');
  queue.addRateLimited('ns/c');
  assert.equal(await read('workqueue_retries_total'), 2);
  queue.done('ns/never-taken');
  assert.equal(await read('workqueue_work_duration_seconds_count'), 1, 'done for a key no worker holds is ignored');
  queue.shutDown();
});

test('done for a key no worker holds does not queue it twice', async () => {
  const queue = new WorkQueue();
  queue.add('ns/a');
  queue.done('ns/a');
  assert.equal(queue.length, 1);
});

test('after shutDown no key is handed out: held keys finish, waiting keys are dropped', async () => {
  const queue = new WorkQueue();
  queue.add('ns/held');
  queue.add('ns/waiting');
  assert.equal(await queue.get(), 'ns/held');
  queue.add('ns/held');
  queue.shutDown();
  assert.equal(await queue.get(), undefined, 'a waiting key must not be taken after shutDown');
  queue.done('ns/held');
  assert.equal(await queue.get(), undefined, 'a key re-added while held must not be taken after shutDown');
  assert.equal(queue.processingCount, 0);
});
