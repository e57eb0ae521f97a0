import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WrittenVersions } from './written.ts';

test('the cache is behind until it holds a newer version than the one written over', () => {
  const written = new WrittenVersions();
  assert.equal(written.cacheIsBehind('ns/a', '10'), false);
  written.markWritten('ns/a', '10');
  assert.equal(written.cacheIsBehind('ns/a', '10'), true);
  assert.equal(written.cacheIsBehind('ns/b', '10'), false, 'per key');
  assert.equal(written.cacheIsBehind('ns/a', '11'), false);
  assert.equal(written.cacheIsBehind('ns/a', '10'), false, 'forgotten once the cache moved on');
});
