import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTar } from '../registry/tar-stream.ts';
import { tarArchive } from './tar-archive.ts';

const FILES = {
  'push.sh': '#!/bin/sh\necho pushed\n',
  Dockerfile: 'FROM debian:bookworm\nRUN echo "ünïcödé ✓"\n',
  'apt.txt': 'curl\n',
  empty: '',
  'exactly-512': 'x'.repeat(512),
};

test('GNU tar unpacks every file with its exact content, read-only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-archive-'));
  try {
    writeFileSync(join(dir, 'context.tar'), tarArchive(FILES));
    // As the context step unpacks it: no owner change, no modification times.
    execFileSync('tar', ['-x', '-o', '-m', '-f', join(dir, 'context.tar'), '-C', dir]);
    for (const [name, content] of Object.entries(FILES)) {
      assert.equal(readFileSync(join(dir, name), 'utf8'), content, name);
      assert.equal(statSync(join(dir, name)).mode & 0o777, 0o444, name);
    }
    const listed = execFileSync('tar', ['-t', '-f', join(dir, 'context.tar')], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listed, Object.keys(FILES).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same files give the same bytes, and the project\'s own tar reader reads them back', async () => {
  const archive = tarArchive(FILES);
  assert.deepEqual(tarArchive({ ...FILES }), archive);
  assert.equal(archive.length % 512, 0);
  const read: Record<string, string> = {};
  for await (const entry of readTar((async function* () { yield archive; })())) {
    assert.equal(entry.type, 'file');
    const chunks: Uint8Array[] = [];
    for await (const chunk of entry.body) chunks.push(chunk);
    read[entry.name] = Buffer.concat(chunks).toString('utf8');
  }
  assert.deepEqual(read, FILES);
});

test('a name that is not a plain file name is refused', () => {
  for (const name of ['../escape', 'dir/file', '.', '..', '', 'x'.repeat(101), 'new\nline']) {
    assert.throws(() => tarArchive({ [name]: 'x' }), /plain names/, JSON.stringify(name));
  }
});

test('a directory of the user\'s files unpacks with their exact bytes, beside the context files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-archive-'));
  try {
    const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const source = { Dockerfile: Buffer.from('FROM scratch\nCOPY blob /\n'), blob: binary, 'big.txt': Buffer.alloc(1500, 'y') };
    writeFileSync(join(dir, 'context.tar'), tarArchive({ 'build.sh': '#!/bin/sh\n' }, { name: 'source', files: source }));
    execFileSync('tar', ['-x', '-o', '-m', '-f', join(dir, 'context.tar'), '-C', dir]);
    for (const [name, content] of Object.entries(source)) {
      assert.deepEqual(readFileSync(join(dir, 'source', name)), content, name);
      assert.equal(statSync(join(dir, 'source', name)).mode & 0o777, 0o644, name);
    }
    assert.equal(readFileSync(join(dir, 'build.sh'), 'utf8'), '#!/bin/sh\n');
    assert.throws(() => tarArchive({}, { name: 'source', files: { '../x': binary } }), /plain names/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a user file whose path passes ustar\'s 100 bytes (a ConfigMap key of up to 253 characters) unpacks by its pax header', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-archive-'));
  try {
    const names = ['k'.repeat(93), 'l'.repeat(94), 'm'.repeat(253), `${'n'.repeat(90)}.requirements.txt`];
    const files = Object.fromEntries(names.map((name, index) => [name, Buffer.from(`file ${index}\n`)]));
    const archive = tarArchive({}, { name: 'source', files });
    writeFileSync(join(dir, 'context.tar'), archive);
    execFileSync('tar', ['-x', '-o', '-m', '-f', join(dir, 'context.tar'), '-C', dir]);
    for (const [name, content] of Object.entries(files)) assert.deepEqual(readFileSync(join(dir, 'source', name)), content, name);
    const listed = execFileSync('tar', ['-t', '-f', join(dir, 'context.tar')], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(listed.sort(), ['source/', ...names.map((name) => `source/${name}`)].sort());
    // Past 253 characters it is no ConfigMap key.
    assert.throws(() => tarArchive({}, { name: 'source', files: { ['z'.repeat(254)]: Buffer.from('x') } }), /plain names of at most 253/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
