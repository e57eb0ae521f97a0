import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { apiMessage, ignoreAlreadyExists, ignoreNotFound, isAlreadyExists, isConflict, isInvalid, isNotFound } from './errors.ts';

const apiError = (code: number, reason: string, message = 'm') =>
  new ApiException(code, 'x', JSON.stringify({ kind: 'Status', reason, message }), {});

test('API errors are classified by code and reason', () => {
  assert.ok(isNotFound(apiError(404, 'NotFound')));
  assert.ok(isAlreadyExists(apiError(409, 'AlreadyExists')));
  assert.ok(!isConflict(apiError(409, 'AlreadyExists')));
  assert.ok(isConflict(apiError(409, 'Conflict')));
  assert.ok(isInvalid(apiError(422, 'Invalid')));
  assert.ok(!isNotFound(new Error('socket hang up')));
  assert.equal(apiMessage(apiError(422, 'Invalid', 'spec.baseImage: Invalid value')), 'spec.baseImage: Invalid value');
});

test('ignoreNotFound and ignoreAlreadyExists swallow only their own answer', async () => {
  assert.equal(await Promise.reject(apiError(404, 'NotFound')).catch(ignoreNotFound), undefined);
  assert.equal(await Promise.resolve('read').catch(ignoreNotFound), 'read');
  await assert.rejects(Promise.reject(apiError(409, 'AlreadyExists')).catch(ignoreNotFound), (error) => isAlreadyExists(error));
  assert.equal(await Promise.reject(apiError(409, 'AlreadyExists')).then(() => true, ignoreAlreadyExists), undefined);
  await assert.rejects(Promise.reject(apiError(409, 'Conflict')).catch(ignoreAlreadyExists), (error) => isConflict(error));
  await assert.rejects(Promise.reject(new Error('socket hang up')).catch(ignoreNotFound), /socket hang up/);
});

test('a 429 tells when to retry from its Retry-After, bounded; other errors tell nothing', async () => {
  const { retryAfterMs } = await import('./errors.ts');
  const throttled = (retryAfter?: string) =>
    new ApiException(429, 'x', JSON.stringify({ kind: 'Status', reason: 'TooManyRequests' }), retryAfter === undefined ? {} : { 'retry-after': retryAfter });
  assert.equal(retryAfterMs(throttled('3')), 3000);
  assert.equal(retryAfterMs(throttled('0')), 0);
  assert.equal(retryAfterMs(throttled('86400')), 60_000);
  assert.equal(retryAfterMs(throttled('soon')), undefined);
  assert.equal(retryAfterMs(throttled()), undefined);
  assert.equal(retryAfterMs(apiError(409, 'Conflict')), undefined);
});
