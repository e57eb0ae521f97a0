import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest, verifiedChunks } from './digest.ts';
import { LayoutError } from './errors.ts';

async function* pieces(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

test('matching content passes through unchanged, and the copy gets every chunk', async () => {
  const copied: string[] = [];
  const passed: string[] = [];
  for await (const chunk of verifiedChunks(pieces('ab', 'c'), sha256Digest(Buffer.from('abc')), 3, { add: (chunk) => copied.push(Buffer.from(chunk).toString()) })) {
    passed.push(Buffer.from(chunk).toString());
  }
  assert.deepEqual(passed, ['ab', 'c']);
  assert.deepEqual(copied, ['ab', 'c']);
});

test('a mismatch is a LayoutError before the last chunk is handed on', async () => {
  const passed: string[] = [];
  await assert.rejects(async () => {
    for await (const chunk of verifiedChunks(pieces('ab', 'x'), sha256Digest(Buffer.from('abc')), 3)) passed.push(Buffer.from(chunk).toString());
  }, (error) => error instanceof LayoutError && /does not match its name: its content has digest sha256:/.test(error.message));
  assert.deepEqual(passed, ['ab']);
});

test('an empty blob is checked too', async () => {
  const empty = sha256Digest(new Uint8Array(0));
  for await (const _ of verifiedChunks(pieces(), empty, 0)) assert.fail('no chunk expected');
  await assert.rejects(async () => {
    for await (const _ of verifiedChunks(pieces(), sha256Digest(Buffer.from('x')), 0)) void _;
  }, LayoutError);
});
