import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBuckets } from './tokenbucket.ts';

test('a key bursts, then gets one token per interval', () => {
  const buckets = new TokenBuckets({ burst: 3, refillEveryMs: 1000 });
  assert.deepEqual([1, 2, 3, 4].map(() => buckets.take('a', 0)), [true, true, true, false]);
  assert.equal(buckets.nextTokenAt('a', 500), 1000);
  assert.equal(buckets.take('a', 999), false);
  assert.equal(buckets.take('a', 1000), true);
  assert.equal(buckets.take('a', 1500), false);
  assert.equal(buckets.take('a', 2000), true);
});

test('keys have their own buckets', () => {
  const buckets = new TokenBuckets({ burst: 1, refillEveryMs: 1000 });
  assert.equal(buckets.take('a', 0), true);
  assert.equal(buckets.take('a', 0), false);
  assert.equal(buckets.take('b', 0), true);
});

test('refilling stops at the burst and partial progress is kept', () => {
  const buckets = new TokenBuckets({ burst: 2, refillEveryMs: 1000 });
  buckets.take('a', 0);
  buckets.take('a', 0);
  assert.equal(buckets.take('a', 1500), true, 'one token after 1 s');
  assert.equal(buckets.nextTokenAt('a', 1500), 2000, 'the half interval already waited counts');
  assert.deepEqual([buckets.take('a', 60_000), buckets.take('a', 60_000), buckets.take('a', 60_000)], [true, true, false]);
});

test('full buckets are forgotten', () => {
  const buckets = new TokenBuckets({ burst: 2, refillEveryMs: 1000 });
  buckets.take('a', 0);
  buckets.prune(500);
  assert.equal(buckets.size, 1);
  buckets.prune(1000);
  assert.equal(buckets.size, 0);
});
