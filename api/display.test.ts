import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeUnsafe } from './display.ts';

test('control and bidirectional characters become visible escapes; other text is unchanged', () => {
  assert.equal(escapeUnsafe('a\nb\tc\rd\u0000e\u007f\u0085\u009f'), 'a\\nb\\tc\\rd\\u0000e\\u007f\\u0085\\u009f');
  assert.equal(escapeUnsafe('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029'), '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029');
  assert.equal(escapeUnsafe('numpy>=1.26 é 日本 \u{1F600} \\u202e'), 'numpy>=1.26 é 日本 \u{1F600} \\u202e');
});

test('multi-line messages can keep their line breaks', () => {
  assert.equal(escapeUnsafe('line 1\nline\u202e 2\r\n', { keepNewlines: true }), 'line 1\nline\\u202e 2\\r\n');
});

test('escaping twice changes nothing more', () => {
  const once = escapeUnsafe('x\u202ey\n');
  assert.equal(escapeUnsafe(once), once);
});
