import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MANIFEST_LIMITS, parseManifest } from './manifest.ts';

/** A document whose `use` line refers, through `levels` anchors, to width^levels copies of `leaf`. */
function aliasTree(levels: number, width: number, leaf: string, use: string): string {
  const lines = [`l0: &l0 ${leaf}`];
  for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n${use.replace('ALIAS', `*l${levels}`)}\n`;
}

function refusal(text: string) {
  const meter = { units: 0 };
  const parsed = parseManifest(text, 'spec.yaml', meter);
  assert.equal(parsed.ok, false, 'refused');
  return { error: (parsed as { error: string }).error, units: meter.units };
}

test('a 600-byte alias bomb (10^9 nodes) is refused with a clear error, after bounded work', () => {
  const bomb = aliasTree(9, 10, '"x"', 'apiVersion: ALIAS');
  assert.ok(bomb.length < 600);
  const { error, units } = refusal(bomb);
  assert.equal(error, `spec.yaml: too large for an ImageSpec manifest: it expands to more than ${MANIFEST_LIMITS.expandedSize} nodes and characters (YAML aliases)`);
  // The guard stops at its limit: its work is bounded by the limit, not by the 10^9 nodes.
  assert.ok(units <= MANIFEST_LIMITS.expandedSize + 1000, `${units} units of work`);
});

test('a huge alias-expanded apiVersion is refused before anything reads it', () => {
  const { error, units } = refusal(aliasTree(6, 10, `"${'v'.repeat(1000)}"`, 'apiVersion: ALIAS\nkind: ImageSpec\nspec: {baseImage: python:3.11}'));
  assert.match(error, /too large for an ImageSpec manifest: it expands to more than/);
  assert.ok(units < 10_000, `${units} units of work`);
});

test('a sequence of aliases used as a key is refused before js-yaml joins it into a string', () => {
  const { error, units } = refusal(`s: &s "${'x'.repeat(100_000)}"\n? [${Array(100).fill('*s').join(', ')}]\n: v\n`);
  assert.match(error, /too large for an ImageSpec manifest: a sequence expands to more than 2000000 characters/);
  assert.ok(units < 1000, `${units} units of work`);
});

test('recursive aliases, deep nesting and oversized input are refused', () => {
  assert.equal(refusal('a: &a [*a]\n').error, 'spec.yaml: a YAML alias refers to a node that contains it (a recursive alias)');
  assert.equal(refusal('a: &a {b: *a}\n').error, 'spec.yaml: a YAML alias refers to a node that contains it (a recursive alias)');
  assert.match(refusal('['.repeat(200) + ']'.repeat(200)).error, /YAML error: nesting exceeded maxDepth \(64\)/);
  const large = `a: ${'x'.repeat(MANIFEST_LIMITS.bytes)}`;
  assert.equal(refusal(large).error, `spec.yaml: too large for an ImageSpec manifest: ${large.length} bytes, more than ${MANIFEST_LIMITS.bytes}`);
});

test('a long apiVersion string and a few legitimate aliases are fine', () => {
  assert.equal(parseManifest(`apiVersion: "${'v'.repeat(400_000)}"\n`, 'spec.yaml').ok, true);
  assert.equal(parseManifest('defaults: &d {baseImage: "python:3.11"}\nspec:\n  <<: *d\n  packages: {pip: [numpy]}\n', 'spec.yaml').ok, true);
});

test('a duplicated key is reported with its field path', () => {
  const duplicate = (text: string) => refusal(text).error;
  assert.equal(duplicate('kind: a\nkind: b\n'), 'spec.yaml:2:1: YAML error: duplicated key kind (a key may appear only once in a mapping)');
  assert.match(duplicate('apiVersion: v\nspec:\n  baseImage: a\n  pullSecret: s\n  baseImage: b\n'), /^spec\.yaml:5:3: YAML error: duplicated key spec\.baseImage /);
  assert.match(duplicate('spec:\n  packages:\n    pip: [a]\n    apt:\n    - x\n    - y: 1\n      y: 2\n'), /duplicated key spec\.packages\.apt\[1\]\.y /);
  assert.match(duplicate('spec: {baseImage: a, baseImage: b}\n'), /duplicated key spec\.baseImage /);
  assert.match(duplicate('spec:\n  packages: {apt: [{a: 1}, {b: 1, b: 2}]}\n'), /duplicated key spec\.packages\.apt\[1\]\.b /);
  assert.match(duplicate('---\n# a comment\nmetadata:\n  annotations:\n    x: 1\n    "x": 2\n'), /duplicated key metadata\.annotations\.x /);
  assert.match(duplicate('spec: &s !!map\n  a: 1\n  a: 2\n'), /duplicated key spec\.a /);
  assert.match(duplicate('a:\n  - - x: 1\n      x: 2\n'), /duplicated key a\[0\]\[0\]\.x /);
  assert.match(duplicate('? a\n: 1\n? a\n: 2\n'), /duplicated key a /);
  assert.match(duplicate('meta\u202e: 1\nmeta\u202e: 2\n'), /duplicated key meta\\u202e /, 'shown escaped');
});
