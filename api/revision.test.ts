import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalSpec, computeRevision, shortRevision } from './revision.ts';
import type { ImageSpecSpec } from './types.ts';

const spec: ImageSpecSpec = {
  baseImage: 'python:3.11',
  packages: { apt: ['curl', 'git'], conda: [], pip: ['numpy>=1.26,<2', 'requests[socks]==2.32.3'] },
};

test('the revision is a stable SHA-256 over the canonical form (golden)', () => {
  assert.equal(
    canonicalSpec(spec),
    '{"format":1,"baseImage":"python:3.11","packages":{"apt":["curl","git"],"conda":[],"pip":["numpy>=1.26,<2","requests[socks]==2.32.3"]},"updateTime":null}',
  );
  // Changing this value changes every revision, so every ImageSpec rebuilds: only on purpose.
  assert.equal(computeRevision(spec), '339bff9908a6f6364be2dc9ed4841c04421596ee2ad068c8fc0e71b03b8f3420');
  assert.match(computeRevision(spec), /^[0-9a-f]{64}$/);
});

test('package order is part of the content', () => {
  const swapped = { ...spec, packages: { ...spec.packages, apt: ['git', 'curl'] } };
  assert.notEqual(computeRevision(swapped), computeRevision(spec));
});

test('moving a package to another manager changes the revision', () => {
  assert.notEqual(computeRevision({ baseImage: 'x', packages: { apt: ['six'] } }), computeRevision({ baseImage: 'x', packages: { pip: ['six'] } }));
});

test('surrounding whitespace is not part of the content', () => {
  const spaced = { ...spec, baseImage: ' python:3.11 ', packages: { apt: ['  curl', 'git  '], conda: [], pip: [' numpy>=1.26,<2 ', 'requests[socks]==2.32.3'] } };
  assert.equal(computeRevision(spaced), computeRevision(spec));
});

test('list boundaries are unambiguous: ["a,b"] differs from ["a", "b"]', () => {
  assert.notEqual(computeRevision({ baseImage: 'x', packages: { pip: ['a,b'] } }), computeRevision({ baseImage: 'x', packages: { pip: ['a', 'b'] } }));
  assert.notEqual(computeRevision({ baseImage: 'x', packages: { pip: ['a;pip:[b]'] } }), computeRevision({ baseImage: 'x', packages: { pip: ['a'], conda: ['b'] } }));
});

test('missing, empty and null package lists are the same content', () => {
  const a = computeRevision({ baseImage: 'x' });
  assert.equal(computeRevision({ baseImage: 'x', packages: {} }), a);
  assert.equal(computeRevision({ baseImage: 'x', packages: { apt: [], conda: [], pip: [] } }), a);
  assert.equal(computeRevision({ baseImage: 'x', packages: { apt: null as unknown as string[] } }), a);
});

test('updateTime asks for a rebuild; empty is the same as absent', () => {
  const stamped = computeRevision({ ...spec, updateTime: '2026-11-20T08:00:00Z' });
  assert.notEqual(stamped, computeRevision(spec));
  assert.notEqual(stamped, computeRevision({ ...spec, updateTime: '2026-11-21T08:00:00Z' }));
  assert.equal(computeRevision({ ...spec, updateTime: '' }), computeRevision(spec));
});

test('pullSecret does not change the revision (it grants access, it does not define content)', () => {
  assert.equal(computeRevision({ ...spec, pullSecret: 'base-pull' }), computeRevision(spec));
  assert.equal(computeRevision({ ...spec, pullSecret: '' }), computeRevision(spec));
});

test('the base image is part of the content', () => {
  assert.notEqual(computeRevision({ ...spec, baseImage: 'python:3.12' }), computeRevision(spec));
});

test('shortRevision is the first 12 hex characters', () => {
  const revision = computeRevision(spec);
  assert.equal(shortRevision(revision), revision.slice(0, 12));
  assert.equal(shortRevision(revision).length, 12);
});

test('spaces between the parts of a pip requirement are not part of the content', () => {
  const spaced = { ...spec, packages: { ...spec.packages, pip: ['numpy >= 1.26 , < 2', 'requests [socks] == 2.32.3'] } };
  assert.equal(computeRevision(spaced), computeRevision(spec));
  const marked = (marker: string) => computeRevision({ baseImage: 'x', packages: { pip: [`pkg${marker}`] } });
  assert.equal(marked('; python_version > "3.8"'), marked(';python_version>"3.8"'));
  assert.notEqual(marked('; python_version > "3.8"'), marked(''));
});

test('build arguments are part of the content, by name and value, in any order; none hashes as before they existed', () => {
  const a = { name: 'PIP_INDEX_URL', value: 'http://127.0.0.1:5002/simple' };
  const b = { name: 'APP_NOTE', value: 'x' };
  assert.equal(computeRevision({ ...spec, buildArgs: [] }), computeRevision(spec));
  assert.equal(computeRevision({ ...spec, buildArgs: [a, b] }), computeRevision({ ...spec, buildArgs: [b, a] }));
  assert.notEqual(computeRevision({ ...spec, buildArgs: [a] }), computeRevision(spec));
  assert.notEqual(computeRevision({ ...spec, buildArgs: [a] }), computeRevision({ ...spec, buildArgs: [{ ...a, value: 'http://127.0.0.1:5003/simple' }] }));
  assert.notEqual(computeRevision({ ...spec, buildArgs: [a] }), computeRevision({ ...spec, buildArgs: [{ ...a, name: 'PIP_EXTRA_INDEX_URL' }] }));
  assert.match(canonicalSpec({ ...spec, buildArgs: [a, b] }), /"buildArgs":\[\["APP_NOTE","x"\],\["PIP_INDEX_URL","http:\/\/127\.0\.0\.1:5002\/simple"\]\]\}$/);
});

test('a build from a claim: its name and path are in the revision, its unseen files are not; updateTime rebuilds', () => {
  const claim = (claimName: string, path?: string) => ({ build: { context: { persistentVolumeClaim: { claimName, ...(path ? { path } : {}) } } } });
  const revision = computeRevision(claim('work', 'app'));
  assert.equal(computeRevision(claim(' work ', 'app ')), revision);
  assert.notEqual(computeRevision(claim('work', 'other')), revision);
  assert.notEqual(computeRevision(claim('work')), revision);
  assert.notEqual(computeRevision(claim('home', 'app')), revision);
  assert.notEqual(computeRevision({ ...claim('work', 'app'), updateTime: '2026-11-25T08:00:00Z' }), revision);
  assert.throws(() => computeRevision({ build: { context: { configMap: { name: 'ctx' } } } }), /needs the digest of its content/);
});

test('a build from an archive: its URL, digest and path are in the revision (a corrected URL builds again)', () => {
  const digest = 'a'.repeat(64);
  const archive = (href: string, sha256: string, path?: string) => ({ build: { context: { url: { href, sha256, ...(path ? { path } : {}) } } } });
  const revision = computeRevision(archive('https://example.com/app.tar.gz', digest, 'app-1.2'));
  assert.notEqual(computeRevision(archive('https://mirror.example.org/app.tar.gz', digest, 'app-1.2')), revision);
  assert.notEqual(computeRevision(archive('https://example.com/app.tar.gz', 'b'.repeat(64), 'app-1.2')), revision);
  assert.notEqual(computeRevision(archive('https://example.com/app.tar.gz', digest)), revision);
  assert.notEqual(computeRevision({ ...archive('https://example.com/app.tar.gz', digest, 'app-1.2'), updateTime: '2026-11-25T08:00:00Z' }), revision);
});
