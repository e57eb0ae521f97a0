import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue, backoffDelay } from './workqueue.ts';

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
