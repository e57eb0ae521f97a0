import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable } from './table.ts';

test('columns are padded to their widest cell, two spaces apart, without trailing blanks', () => {
  const text = formatTable(['figure', 'value'], [['editToPod p50', '12 ms'], ['ratio', '1.05']]);
  assert.equal(text, ['figure         value', '-------------  -----', 'editToPod p50  12 ms', 'ratio          1.05'].join('\n'));
});

test('missing cells are blank', () => {
  assert.equal(formatTable(['a', 'b'], [['x']]), ['a  b', '-  -', 'x'].join('\n'));
});
