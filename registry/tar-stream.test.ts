import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LayoutError } from './errors.ts';
import { MAX_HEADER_DATA, readTar } from './tar-stream.ts';

interface ReadEntry {
  name: string;
  type: string;
  content: string;
}

const longDirectory = `${'d'.repeat(90)}/${'e'.repeat(90)}`;
const longFile = `${longDirectory}/${'f'.repeat(120)}.txt`; // too long for ustar, even with its prefix
const prefixFile = `${'p'.repeat(60)}/${'p'.repeat(60)}/${'q'.repeat(60)}.txt`; // fits ustar only with the prefix field
const big = randomBytes(100_000);

/** A directory tree with a long name, a big file and an empty one, tarred by the system tar. */
function systemTar(format: 'gnu' | 'pax' | 'ustar', files: Record<string, Buffer | string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tar-stream-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    return execFileSync('tar', [`--format=${format}`, '--sort=name', '-C', dir, '-cf', '-', '.'], { maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sample = { 'oci-layout': '{"imageLayoutVersion":"1.0.0"}', 'blobs/sha256/big': big, 'empty': '', [longFile]: 'long', [prefixFile]: 'prefixed' };

async function* chunked(bytes: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let position = 0;
  for (let i = 0; position < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(position, position + size);
    position += size;
  }
}

async function readAll(source: AsyncIterable<Uint8Array>, readBodies = true): Promise<ReadEntry[]> {
  const entries: ReadEntry[] = [];
  for await (const entry of readTar(source)) {
    const parts: Buffer[] = [];
    if (readBodies) for await (const chunk of entry.body) parts.push(Buffer.from(chunk));
    const content = Buffer.concat(parts);
    if (readBodies) assert.equal(content.length, entry.size, `${entry.name}: body length equals size`);
    entries.push({ name: entry.name, type: entry.type, content: content.length > 100 ? `sha:${sha(content)}` : content.toString() });
  }
  return entries;
}

const sha = (bytes: Uint8Array) => execFileSync('sha256sum', { input: bytes, encoding: 'utf8' }).slice(0, 16);

function expected(readBodies = true): ReadEntry[] {
  const file = (name: string, content: Buffer | string) => ({
    name,
    type: 'file',
    content: !readBodies ? '' : content.length > 100 ? `sha:${sha(Buffer.from(content))}` : content.toString(),
  });
  const directory = (name: string) => ({ name, type: 'directory', content: '' });
  return [
    directory(''),
    directory('blobs'),
    directory('blobs/sha256'),
    file('blobs/sha256/big', big),
    directory('dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd'),
    directory(longDirectory),
    file(longFile, 'long'),
    file('empty', ''),
    file('oci-layout', sample['oci-layout']),
    directory('p'.repeat(60)),
    directory(`${'p'.repeat(60)}/${'p'.repeat(60)}`),
    file(prefixFile, 'prefixed'),
  ];
}

test('GNU and pax archives from the system tar read back entry by entry, long names included', async () => {
  for (const format of ['gnu', 'pax'] as const) {
    assert.deepEqual(await readAll(chunked(systemTar(format, sample), [65536])), expected(), format);
  }
});

test('a ustar archive joins the name prefix', async () => {
  const entries = await readAll(chunked(systemTar('ustar', { [prefixFile]: 'prefixed' }), [4096]));
  assert.deepEqual(entries.at(-1), { name: prefixFile, type: 'file', content: 'prefixed' });
});

test('headers and bodies split across many tiny chunks read the same', async () => {
  assert.deepEqual(await readAll(chunked(systemTar('pax', sample), [1, 7, 3, 512, 2])), expected());
});

test('bodies the caller does not read are skipped', async () => {
  assert.deepEqual(await readAll(chunked(systemTar('gnu', sample), [1000]), false), expected(false));
});

test('an archive that ends at a block boundary without the two zero blocks is complete', async () => {
  const tar = systemTar('gnu', { a: 'x'.repeat(600) });
  const withoutEnd = tar.subarray(0, 512 * 4); // the root's header, a's header, a's two data blocks
  assert.deepEqual((await readAll(chunked(withoutEnd, [512]))).map((entry) => entry.name), ['', 'a']);
});

test('a stream cut inside a body or a header is a LayoutError', async () => {
  const tar = systemTar('gnu', { 'blobs/sha256/big': big });
  await assert.rejects(readAll(chunked(tar.subarray(0, 512 * 4 + 1000), [4096])), (error) => error instanceof LayoutError && /ended in the middle of "blobs\/sha256\/big" \(1000 of 100000 bytes read\)/.test(error.message));
  await assert.rejects(readAll(chunked(tar.subarray(0, 512 + 100), [4096])), (error) => error instanceof LayoutError && /ended in the middle of a tar header at byte 512/.test(error.message));
});

test('a header with a wrong checksum is a LayoutError', async () => {
  const tar = Buffer.from(systemTar('gnu', { a: 'x' }));
  tar[512 + 2] = 0x41; // inside the second header's name field
  await assert.rejects(readAll(chunked(tar, [4096])), (error) => error instanceof LayoutError && /byte 512 .* wrong checksum/.test(error.message));
});

/** A ustar header block with a correct checksum. */
function header(fields: { name: string; size?: number; typeflag?: string; sizeField?: string }): Buffer {
  const block = Buffer.alloc(512);
  block.write(fields.name, 0, 100, 'utf8');
  block.write('0000644\0', 100, 'latin1');
  block.write(fields.sizeField ?? `${(fields.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  block.write(fields.typeflag ?? '0', 156, 'latin1');
  block.write('ustar\u000000', 257, 'latin1');
  block.write('        ', 148, 'latin1');
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

const padded = (data: string | Buffer) => {
  const bytes = Buffer.from(data);
  return Buffer.concat([bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)]);
};
const paxRecord = (key: string, value: string) => {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
};

test('a size field that is not octal is a LayoutError', async () => {
  const tar = Buffer.concat([header({ name: 'a', sizeField: '0000000009z\0' }), Buffer.alloc(1024)]);
  await assert.rejects(readAll(chunked(tar, [512])), (error) => error instanceof LayoutError && /size field of the tar header for "a" is not an octal number/.test(error.message));
});

test("GNU's base-256 size field (files over 8 GiB) is read", async () => {
  const tar = Buffer.concat([header({ name: 'big', sizeField: `\u0080${'\0'.repeat(10)}\u0005` }), padded('12345'), Buffer.alloc(1024)]);
  assert.deepEqual(await readAll(chunked(tar, [512])), [{ name: 'big', type: 'file', content: '12345' }]);
});

test('pax records set the path and the size of the next entry only', async () => {
  const records = paxRecord('path', 'blobs/sha256/from-pax') + paxRecord('size', '5') + paxRecord('mtime', '1.5');
  const tar = Buffer.concat([
    header({ name: 'PaxHeaders/x', size: Buffer.byteLength(records), typeflag: 'x' }),
    padded(records),
    header({ name: 'short', size: 0 }),
    padded('hello'),
    header({ name: 'next', size: 2 }),
    padded('ok'),
    Buffer.alloc(1024),
  ]);
  assert.deepEqual(await readAll(chunked(tar, [100])), [
    { name: 'blobs/sha256/from-pax', type: 'file', content: 'hello' },
    { name: 'next', type: 'file', content: 'ok' },
  ]);
});

test('long names and pax headers over the cap are refused before they are read', async () => {
  for (const typeflag of ['L', 'x']) {
    const tar = header({ name: '././@LongLink', size: MAX_HEADER_DATA + 1, typeflag }); // no data follows: it must not be awaited
    await assert.rejects(readAll(chunked(tar, [512])), (error) => error instanceof LayoutError && /at most 65536 are accepted/.test(error.message));
  }
});

test('data after the end-of-archive marker is a LayoutError; zero padding is not', async () => {
  const archive = Buffer.concat([header({ name: 'a', size: 1 }), padded('a'), Buffer.alloc(1024)]);
  assert.equal((await readAll(chunked(Buffer.concat([archive, Buffer.alloc(8192)]), [700]))).length, 1);
  await assert.rejects(readAll(chunked(Buffer.concat([archive, header({ name: 'b' })]), [700])), (error) => error instanceof LayoutError && /data after its end-of-archive marker/.test(error.message));
});

test('a body read after the reader moved on fails instead of yielding the wrong bytes', async () => {
  const tar = Buffer.concat([header({ name: 'a', size: 3 }), padded('abc'), header({ name: 'b', size: 1 }), padded('b'), Buffer.alloc(1024)]);
  const bodies: AsyncIterable<Uint8Array>[] = [];
  for await (const entry of readTar(chunked(tar, [1]))) {
    const iterator = entry.body[Symbol.asyncIterator]();
    if (entry.name === 'a') await iterator.next();
    bodies.push({ [Symbol.asyncIterator]: () => iterator });
  }
  await assert.rejects(async () => {
    for await (const _ of bodies[0]!) void _;
  }, /read after the reader moved past it/);
});
