import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childName, configMapName, jobName, MAX_NAME_LENGTH, podName, targetImage } from './names.ts';
import type { RegistryConfig } from '../config/types.ts';

const REVISION = '0123456789abcdef'.repeat(4);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function assertLabel(name: string): void {
  assert.ok(name.length <= MAX_NAME_LENGTH, `${name} is ${name.length} characters`);
  assert.match(name, DNS_LABEL);
}

test('short names are readable: <imagespec>-<rev12>, <job>-context, <job>-build', () => {
  const job = jobName('web', REVISION);
  assert.equal(job, 'web-0123456789ab');
  assert.equal(configMapName(job), 'web-0123456789ab-context');
  assert.equal(podName(job), 'web-0123456789ab-build');
});

test('names of exactly 63 characters are kept', () => {
  const prefix = 'a'.repeat(63 - 13);
  assert.equal(jobName(prefix, REVISION), `${prefix}-0123456789ab`);
});

test('long names are shortened to DNS-1123 labels of at most 63 characters, keeping the suffix', () => {
  for (const length of [51, 52, 57, 62, 63]) {
    const name = 'n'.repeat(length);
    const job = jobName(name, REVISION);
    assertLabel(job);
    assert.ok(job.endsWith('-0123456789ab'), job);
    assert.ok(job.startsWith('nnnn'), job);
    for (const child of [configMapName(job), podName(job)]) assertLabel(child);
    assert.ok(podName(job).endsWith('-build'));
    assert.ok(configMapName(job).endsWith('-context'));
  }
});

test('shortened names are deterministic and never collide for distinct inputs', () => {
  const a = 'x'.repeat(60) + 'a';
  const b = 'x'.repeat(60) + 'b';
  assert.equal(jobName(a, REVISION), jobName(a, REVISION));
  assert.notEqual(jobName(a, REVISION), jobName(b, REVISION));
  // Same truncated head, different tails: the hash tells them apart.
  assert.notEqual(podName(jobName(a, REVISION)), podName(jobName(b, REVISION)));
  const names = new Set<string>();
  for (let i = 0; i < 500; i++) names.add(jobName(`${'long-imagespec-name-'.repeat(3)}${i}`, REVISION));
  assert.equal(names.size, 500);
});

test('names that are not DNS-1123 labels (dots) are made into labels without colliding', () => {
  const dotted = jobName('team.web', REVISION);
  assertLabel(dotted);
  assert.notEqual(dotted, jobName('team-web', REVISION));
  assert.ok(dotted.startsWith('team-web-'));
  assertLabel(childName('-x-', '-y-'));
  assertLabel(childName('', 'build'));
  assertLabel(childName('a'.repeat(40), 'b'.repeat(80)));
});

const registry: RegistryConfig = { endpoint: 'registry.example.com', repoPrefix: 'registry.example.com/team', insecure: false };

test('target image in repository-prefix mode: <repoPrefix>/<imagespec>:<rev12>', () => {
  assert.equal(targetImage(registry, 'web', REVISION), 'registry.example.com/team/web:0123456789ab');
  assert.equal(targetImage({ ...registry, repoPrefix: 'registry.example.com/team/' }, 'web', REVISION), 'registry.example.com/team/web:0123456789ab');
  assert.equal(targetImage({ endpoint: '127.0.0.1:5000', insecure: true }, 'web', REVISION), '127.0.0.1:5000/web:0123456789ab');
});

test('target image in single-repository mode: <pushRepo>:<imagespec>-<rev12>', () => {
  assert.equal(
    targetImage({ ...registry, pushRepo: '123456789.dkr.ecr.us-east-1.amazonaws.com/images' }, 'web', REVISION),
    '123456789.dkr.ecr.us-east-1.amazonaws.com/images:web-0123456789ab',
  );
  const longTag = targetImage({ ...registry, pushRepo: 'docker.io/team/images' }, 'n'.repeat(63), REVISION).split(':').pop()!;
  assert.ok(longTag.length <= 128, 'a tag is at most 128 characters');
});

test('target images are accepted by the ImageSpecJob schema (spec.targetImage)', async () => {
  const { PATTERNS } = await import('./grammar.ts');
  const reference = new RegExp(PATTERNS.imageReference, 'u');
  for (const image of [
    targetImage(registry, 'web', REVISION),
    targetImage(registry, 'team.web', REVISION),
    targetImage({ endpoint: '127.0.0.1:5000', insecure: true }, 'n'.repeat(63), REVISION),
    targetImage({ ...registry, pushRepo: 'registry.example.com/images' }, 'team.web', REVISION),
  ]) {
    assert.match(image, reference);
  }
});
