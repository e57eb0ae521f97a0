import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameStatus, splitKey, statusPatchBody } from './kube.ts';

test('statusPatchBody nulls removed keys so a merge patch clears them', () => {
  assert.deepEqual(statusPatchBody({ phase: 'Failed', reason: 'X', message: 'm' }, { phase: 'Building', message: undefined }), {
    phase: 'Building',
    reason: null,
    message: null,
  });
});

test('sameStatus treats Dates like their ISO strings and ignores undefined fields', () => {
  assert.ok(sameStatus({ startTime: '2026-11-23T10:00:00.000Z' }, { startTime: new Date('2026-11-23T10:00:00.000Z'), image: undefined }));
  assert.ok(!sameStatus({ phase: 'Building' }, { phase: 'Succeeded' }));
});

test('keys split at the first slash', () => {
  assert.deepEqual(splitKey('ns/name'), { namespace: 'ns', name: 'name' });
});
