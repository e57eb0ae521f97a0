import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubernetesTime, nowTimestamp, timestampText } from './time.ts';

test('a Kubernetes Time has whole seconds; a string is kept as written; nothing stays nothing', () => {
  assert.equal(kubernetesTime(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05Z');
  assert.equal(kubernetesTime('2026-01-02T03:04:05Z'), '2026-01-02T03:04:05Z');
  assert.equal(kubernetesTime(new Date(Number.NaN)), undefined);
  assert.equal(kubernetesTime(undefined), undefined);
});

test('timestamp text keeps the milliseconds and is empty when absent', () => {
  assert.equal(timestampText(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678Z');
  assert.equal(timestampText('2026-01-02T03:04:05.678Z'), '2026-01-02T03:04:05.678Z');
  assert.equal(timestampText(undefined), '');
  assert.match(nowTimestamp(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});
