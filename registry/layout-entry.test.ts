import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LayoutError } from './errors.ts';
import { classifyEntry } from './layout-entry.ts';
import type { TarEntryType } from './tar-stream.ts';

const hex = 'ab'.repeat(32);
const entry = (name: string, type: TarEntryType = 'file', typeflag = '0') => ({ name, type, typeflag });

test('the layout directories, its two files and sha256 blobs', () => {
  assert.deepEqual(['', 'blobs', 'blobs/sha256'].map((name) => classifyEntry(entry(name, 'directory', '5'))), Array(3).fill({ kind: 'directory' }));
  assert.deepEqual(classifyEntry(entry('oci-layout')), { kind: 'oci-layout' });
  assert.deepEqual(classifyEntry(entry('index.json')), { kind: 'index' });
  assert.deepEqual(classifyEntry(entry(`blobs/sha256/${hex}`)), { kind: 'blob', digest: `sha256:${hex}` });
});

test('links, devices, escaping paths, other algorithms and stray files are refused with the reason', () => {
  const refusals: [ReturnType<typeof entry>, RegExp][] = [
    [entry(`blobs/sha256/${hex}`, 'symlink', '2'), /is a symlink; an OCI layout may hold only regular files and directories/],
    [entry('index.json', 'hardlink', '1'), /is a hardlink/],
    [entry('dev', 'device', '3'), /is a device/],
    [entry('sparse', 'other', 'S'), /an entry of tar type "S"/],
    [entry('../etc/passwd'), /leaves the layout directory/],
    [entry('blobs/sha256/../../x'), /leaves the layout directory/],
    [entry('/oci-layout'), /leaves the layout directory/],
    [entry(`blobs/sha512/${hex}${hex}`), /digest algorithm "sha512"; only sha256/],
    [entry('blobs/sha512', 'directory', '5'), /digest algorithm "sha512"/],
    [entry(`blobs/sha256/${hex.toUpperCase()}`), /not named by a sha256 digest/],
    [entry('blobs/sha256/short'), /not named by a sha256 digest/],
    [entry('README'), /unexpected file "README"/],
    [entry('blobs/sha256/sub', 'directory', '5'), /unexpected directory "blobs\/sha256\/sub"/],
  ];
  for (const [given, message] of refusals) {
    assert.throws(() => classifyEntry(given), (error) => error instanceof LayoutError && message.test(error.message), given.name);
  }
});
