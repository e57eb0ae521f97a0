import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairQueue, laneOf } from './fair-queue.ts';
import { WorkQueue } from './workqueue.ts';

function drain(queue: FairQueue): string[] {
  const out: string[] = [];
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) out.push(key);
  return out;
}

test('the lane of a key is its namespace', () => {
  assert.equal(laneOf('team-a/web'), 'team-a');
  assert.equal(laneOf('/node-1'), '');
  assert.equal(laneOf('no-slash'), '');
});

test('one namespace is first in, first out', () => {
  const queue = new FairQueue();
  for (const key of ['a/1', 'a/2', 'a/3']) queue.push(key);
  assert.equal(queue.length, 3);
  assert.deepEqual(drain(queue), ['a/1', 'a/2', 'a/3']);
  assert.equal(queue.length, 0);
  assert.equal(queue.shift(), undefined);
});

test('a key of a quiet namespace waits for at most one key of each busy namespace, not for their backlog', () => {
  const queue = new FairQueue();
  for (let i = 0; i < 1000; i++) queue.push(`flood/${i}`);
  queue.push('quiet/edit');
  assert.deepEqual([queue.shift(), queue.shift(), queue.shift()], ['flood/0', 'quiet/edit', 'flood/1']);
  assert.equal(queue.length, 998);
});

test('namespaces take turns, each in its own order, and every key comes out exactly once', () => {
  const queue = new FairQueue();
  for (const key of ['a/1', 'a/2', 'a/3', 'b/1', 'c/1', 'c/2']) queue.push(key);
  const first = [queue.shift(), queue.shift(), queue.shift(), queue.shift()];
  assert.deepEqual(first, ['a/1', 'b/1', 'c/1', 'a/2']);
  queue.push('b/2');
  assert.deepEqual(drain(queue), ['c/2', 'a/3', 'b/2']);
});

test('long runs stay in order across the internal compaction', () => {
  const queue = new FairQueue();
  const expected: string[] = [];
  const out: string[] = [];
  for (let i = 0; i < 5000; i++) {
    queue.push(`a/${i}`);
    expected.push(`a/${i}`);
    if (i % 3 === 0) out.push(queue.shift()!);
  }
  out.push(...drain(queue));
  assert.deepEqual(out, expected);
});

test('the work queue hands out keys fairly between namespaces', async () => {
  const queue = new WorkQueue();
  for (let i = 0; i < 100; i++) queue.add(`flood/${i}`);
  queue.add('quiet/edit');
  const taken = [await queue.get(), await queue.get()];
  assert.deepEqual(taken, ['flood/0', 'quiet/edit']);
  queue.shutDown();
});
