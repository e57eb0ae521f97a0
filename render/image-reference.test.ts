import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertSafeImageReference, qualifyImageReference, registryOf } from './image-reference.ts';

describe('qualifyImageReference', () => {
  const cases: [string, string][] = [
    ['python:3.11', 'docker.io/library/python:3.11'],
    ['python', 'docker.io/library/python'],
    ['jupyter/base-notebook:latest', 'docker.io/jupyter/base-notebook:latest'],
    ['docker.io/python:3.11', 'docker.io/library/python:3.11'],
    ['docker.io/library/python:3.11', 'docker.io/library/python:3.11'],
    ['quay.io/jupyter/base-notebook', 'quay.io/jupyter/base-notebook'],
    ['127.0.0.1:5001/base/debian:bookworm', '127.0.0.1:5001/base/debian:bookworm'],
    ['localhost/base/debian', 'localhost/base/debian'],
    ['registry:5000/team/x', 'registry:5000/team/x'],
    ['ubuntu@sha256:' + 'b'.repeat(64), 'docker.io/library/ubuntu@sha256:' + 'b'.repeat(64)],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => assert.equal(qualifyImageReference(input), expected));
  }
});

describe('registryOf', () => {
  it('finds the registry host and port', () => {
    assert.equal(registryOf('127.0.0.1:5000/team/x:1'), '127.0.0.1:5000');
    assert.equal(registryOf('registry.example.com/x'), 'registry.example.com');
    assert.equal(registryOf('team/x'), 'docker.io');
    assert.equal(registryOf('x:1'), 'docker.io');
  });
});

describe('assertSafeImageReference', () => {
  it('accepts references and refuses what a FROM line or a shell word could misread', () => {
    assertSafeImageReference('f', '127.0.0.1:5000/a/b:c@sha256:' + 'c'.repeat(64));
    for (const bad of ['', '-x', 'a b', 'a\nb', "a'b", 'a"b', 'a$b', 'a;b', 'x'.repeat(513)]) {
      assert.throws(() => assertSafeImageReference('f', bad), /^Error: f:/);
    }
  });
});
