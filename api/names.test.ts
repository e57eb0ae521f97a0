import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childName, jobName, MAX_NAME_LENGTH, MAX_TAG_LENGTH, podName, targetImage } from './names.ts';
import type { RegistryConfig } from '../config/types.ts';

const REVISION = '0123456789abcdef'.repeat(4);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function assertLabel(name: string): void {
  assert.ok(name.length <= MAX_NAME_LENGTH, `${name} is ${name.length} characters`);
  assert.match(name, DNS_LABEL);
}

test('short names are readable: <imagespec>-<rev12>, <job>-build', () => {
  const job = jobName('web', REVISION);
  assert.equal(job, 'web-0123456789ab');
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
    assertLabel(podName(job));
    assert.ok(podName(job).endsWith('-build'));
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
const flat: RegistryConfig = { ...registry, imagePath: 'flat' };
const ecr: RegistryConfig = { ...registry, pushRepo: '123456789.dkr.ecr.us-east-1.amazonaws.com/images' };

test('target image by default: <repoPrefix>/<namespace>/<imagespec>:<rev12>', () => {
  assert.equal(targetImage(registry, 'team-a', 'web', REVISION), 'registry.example.com/team/team-a/web:0123456789ab');
  assert.equal(targetImage({ ...registry, imagePath: 'namespaced' }, 'team-a', 'web', REVISION), 'registry.example.com/team/team-a/web:0123456789ab');
  assert.equal(targetImage({ ...registry, repoPrefix: 'registry.example.com/team/' }, 'team-a', 'web', REVISION), 'registry.example.com/team/team-a/web:0123456789ab');
  assert.equal(targetImage({ endpoint: '127.0.0.1:5000', insecure: true }, 'team-a', 'web', REVISION), '127.0.0.1:5000/team-a/web:0123456789ab');
});

test('two namespaces with an ImageSpec of the same name never share a repository', () => {
  for (const config of [registry, ecr]) {
    assert.notEqual(targetImage(config, 'team-a', 'web', REVISION), targetImage(config, 'team-b', 'web', REVISION));
    // A namespace that ends like another's ImageSpec name begins.
    assert.notEqual(targetImage(config, 'team', 'a-web', REVISION), targetImage(config, 'team-a', 'web', REVISION));
  }
});

test('the flat path (single-tenant clusters) leaves the namespace out: <repoPrefix>/<imagespec>:<rev12>', () => {
  assert.equal(targetImage(flat, 'team-a', 'web', REVISION), 'registry.example.com/team/web:0123456789ab');
  assert.equal(targetImage(flat, 'team-a', 'web', REVISION), targetImage(flat, 'team-b', 'web', REVISION));
  assert.equal(targetImage({ ...flat, pushRepo: 'docker.io/team/images' }, 'team-a', 'web', REVISION), 'docker.io/team/images:web-0123456789ab');
});

test('target image in single-repository mode: <pushRepo>:<namespace>_<imagespec>-<rev12>', () => {
  assert.equal(targetImage(ecr, 'team-a', 'web', REVISION), '123456789.dkr.ecr.us-east-1.amazonaws.com/images:team-a_web-0123456789ab');
  assert.equal(targetImage({ ...ecr, pushRepo: `${ecr.pushRepo}/` }, 'team-a', 'web', REVISION), targetImage(ecr, 'team-a', 'web', REVISION));
});

test('single-repository tags stay within 128 characters, readable and distinct, with a hash when too long', () => {
  const namespace = 'n'.repeat(63);
  const fits = 'w'.repeat(128 - 64 - 13);
  assert.equal(targetImage(ecr, namespace, fits, REVISION).split(':').pop(), `${namespace}_${fits}-0123456789ab`);
  const tags = new Set<string>();
  for (const name of [`${fits}x`, `${fits}y`, 'w'.repeat(63), `${'w'.repeat(62)}x`]) {
    const tag = targetImage(ecr, namespace, name, REVISION).split(':').pop()!;
    assert.ok(tag.length <= MAX_TAG_LENGTH, `${tag} is ${tag.length} characters`);
    assert.match(tag, /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
    assert.ok(tag.startsWith(`${namespace}_w`), tag);
    assert.ok(tag.endsWith('-0123456789ab'), tag);
    tags.add(tag);
  }
  assert.equal(tags.size, 4);
  assert.equal(targetImage(ecr, namespace, 'w'.repeat(63), REVISION), targetImage(ecr, namespace, 'w'.repeat(63), REVISION));
  // A name with a dot where the shortened head ends leaves no '.' before the hash.
  const dotted = targetImage(ecr, namespace, `${'w'.repeat(39)}.${'v'.repeat(23)}`, REVISION).split(':').pop()!;
  assert.match(dotted, /^[A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_]-[0-9a-f]{10}-0123456789ab$/);
});

test('target images are accepted by the ImageSpecJob schema (spec.targetImage)', async () => {
  const { PATTERNS } = await import('./grammar.ts');
  const reference = new RegExp(PATTERNS.imageReference, 'u');
  for (const image of [
    targetImage(registry, 'team-a', 'web', REVISION),
    targetImage(registry, 'team-a', 'team.web', REVISION),
    targetImage({ endpoint: '127.0.0.1:5000', insecure: true }, 'n'.repeat(63), 'n'.repeat(63), REVISION),
    targetImage({ ...registry, pushRepo: 'registry.example.com/images' }, 'team-a', 'team.web', REVISION),
    targetImage(ecr, 'n'.repeat(63), 'x.'.repeat(31) + 'y', REVISION),
    targetImage(flat, 'team-a', 'team.web', REVISION),
  ]) {
    assert.match(image, reference);
  }
});
