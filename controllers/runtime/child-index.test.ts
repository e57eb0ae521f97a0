import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChildIndex } from './child-index.ts';

test('children are found by namespace and parent only', () => {
  const index = new ChildIndex();
  const cache = new Map([['a-1', 'A1'], ['a-2', 'A2'], ['b-1', 'B1']]);
  index.note('ns', 'a', 'a-1');
  index.note('ns', 'a', 'a-2');
  index.note('ns', 'a', 'a-2');
  index.note('ns', 'b', 'b-1');
  index.note('other', 'a', 'a-1');
  assert.deepEqual(index.children('ns', 'a', (name) => cache.get(name)).sort(), ['A1', 'A2']);
  assert.deepEqual(index.children('ns', 'b', (name) => cache.get(name)), ['B1']);
  assert.deepEqual(index.children('ns', 'c', (name) => cache.get(name)), []);
});

test('a child gone from the cache is forgotten, and so is a parent without children', () => {
  const index = new ChildIndex();
  const cache = new Map([['a-1', 'A1']]);
  index.note('ns', 'a', 'a-1');
  index.note('ns', 'a', 'a-2');
  assert.deepEqual(index.children('ns', 'a', (name) => cache.get(name)), ['A1']);
  cache.delete('a-1');
  assert.deepEqual(index.children('ns', 'a', (name) => cache.get(name)), []);
  assert.equal(index.size, 0);
  cache.set('a-1', 'again');
  index.note('ns', 'a', 'a-1');
  assert.deepEqual(index.children('ns', 'a', (name) => cache.get(name)), ['again']);
});
