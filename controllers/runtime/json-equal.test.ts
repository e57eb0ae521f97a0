import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonEqual } from './json-equal.ts';

import { isDeepStrictEqual } from 'node:util';

/** What status comparison did before: both sides through JSON, then deep equality. */
const viaJson = (a: unknown, b: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));

test('undefined fields are absent, as in JSON', () => {
  assert.ok(jsonEqual({ a: 1, b: undefined }, { a: 1 }));
  assert.ok(jsonEqual({ a: 1 }, { b: undefined, a: 1 }));
  assert.ok(!jsonEqual({ a: 1, b: null }, { a: 1 }));
});

test('key order does not matter; array order does', () => {
  assert.ok(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }));
  assert.ok(!jsonEqual({ c: [1, 2] }, { c: [2, 1] }));
});

test('a Date equals its ISO text', () => {
  assert.ok(jsonEqual({ t: new Date('2026-11-24T08:00:00Z') }, { t: '2026-11-24T08:00:00.000Z' }));
  assert.ok(!jsonEqual({ t: new Date('2026-11-24T08:00:00Z') }, { t: '2026-11-24T08:00:00Z' }));
});

test('agrees with a JSON round trip on a status-like sample', () => {
  const samples: unknown[] = [
    {},
    { phase: 'Pending', conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Pending', message: 'x', lastTransitionTime: '2026-11-24T08:00:00Z' }] },
    { phase: 'Pending', conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Pending', message: 'y', lastTransitionTime: '2026-11-24T08:00:00Z' }] },
    { phase: 'Pending', podName: undefined, conditions: [] },
    { phase: 'Pending', conditions: [] },
    { list: [1, undefined, 3] },
    { list: [1, null, 3] },
    { n: 0 },
    { n: -0 },
    { s: '' },
  ];
  for (const a of samples) {
    for (const b of samples) {
      assert.equal(jsonEqual(a, b), viaJson(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
});
