import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, summarize } from './percentiles.ts';

test('nearest rank: p50 of 1..100 is 50, p99 is 99, p100 the maximum', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
});

test('small samples: p99 of a few values is their maximum, p50 the lower middle', () => {
  assert.equal(percentile([30, 10, 20, 40], 99), 40);
  assert.equal(percentile([30, 10, 20, 40], 50), 20);
  assert.equal(percentile([7], 50), 7);
});

test('no values: no percentile, a summary of nulls', () => {
  assert.equal(percentile([], 50), undefined);
  assert.deepEqual(summarize([]), { count: 0, p50Ms: null, p99Ms: null, maxMs: null });
});

test('summaries round to whole milliseconds and do not reorder the input', () => {
  const values = [12.4, 3.6, 250.5];
  assert.deepEqual(summarize(values), { count: 3, p50Ms: 12, p99Ms: 251, maxMs: 251 });
  assert.deepEqual(values, [12.4, 3.6, 250.5]);
});
