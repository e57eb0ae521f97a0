import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobCopy, MAX_KEPT_BLOB, MAX_KEPT_TOTAL, SmallBlobs } from './small-blobs.ts';

const copyOf = (...chunks: string[]) => {
  const copy = new BlobCopy();
  for (const chunk of chunks) copy.add(Buffer.from(chunk));
  return copy;
};

test('a JSON object is copied whole, even when its first chunk is only whitespace', () => {
  assert.equal(Buffer.from(copyOf('{"a":', '1}').bytes()!).toString(), '{"a":1}');
  assert.equal(Buffer.from(copyOf('\n ', ' {}').bytes()!).toString(), '\n  {}');
});

test('anything else (a gzip layer, a tar) is not kept', () => {
  assert.equal(copyOf('\u001f\u008b...', '{more}').bytes(), undefined);
  assert.equal(copyOf('usr/bin/').bytes(), undefined);
});

test('blobs too large, over the total, or not the wanted manifest are not copied', () => {
  const blobs = new SmallBlobs();
  assert.equal(blobs.copyFor('sha256:big', MAX_KEPT_BLOB + 1), undefined);
  for (let i = 0; (i + 1) * MAX_KEPT_BLOB <= MAX_KEPT_TOTAL; i++) {
    const copy = blobs.copyFor(`sha256:${i}`, MAX_KEPT_BLOB)!;
    copy.add(Buffer.alloc(MAX_KEPT_BLOB, '{'));
    blobs.store(`sha256:${i}`, copy);
  }
  assert.equal(blobs.copyFor('sha256:one-more', 1), undefined, 'the total is reached');
  blobs.want('sha256:0');
  assert.equal(blobs.get('sha256:1'), undefined, 'the others are let go');
  assert.equal(blobs.get('sha256:0')!.length, MAX_KEPT_BLOB);
  assert.equal(blobs.copyFor('sha256:other', 10), undefined, 'only the wanted one from now on');
});

test('once a manifest is wanted it is copied even after others filled the budget', () => {
  const blobs = new SmallBlobs();
  blobs.want('sha256:manifest');
  const copy = blobs.copyFor('sha256:manifest', 7)!;
  copy.add(Buffer.from('{"x":1}'));
  blobs.store('sha256:manifest', copy);
  assert.equal(Buffer.from(blobs.get('sha256:manifest')!).toString(), '{"x":1}');
});
