import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setCondition } from './conditions.ts';

test('lastTransitionTime changes only when the status flips', () => {
  const first = setCondition(undefined, { type: 'Ready', status: 'Unknown', reason: 'Building', message: 'a' }, 't1');
  assert.equal(first[0]!.lastTransitionTime, 't1');
  const sameStatus = setCondition(first, { type: 'Ready', status: 'Unknown', reason: 'Pending', message: 'b' }, 't2');
  assert.equal(sameStatus[0]!.lastTransitionTime, 't1');
  assert.equal(sameStatus[0]!.reason, 'Pending');
  const flipped = setCondition(sameStatus, { type: 'Ready', status: 'True', reason: 'Succeeded', message: '' }, 't3');
  assert.equal(flipped[0]!.lastTransitionTime, 't3');
  assert.equal(flipped.length, 1);
});

test('other condition types are kept', () => {
  const both = setCondition(
    [{ type: 'Other', status: 'True', reason: 'X', message: '', lastTransitionTime: 't0' }],
    { type: 'Ready', status: 'False', reason: 'InvalidSpec', message: 'm' },
    't1',
  );
  assert.deepEqual(both.map((c) => c.type), ['Other', 'Ready']);
});
