import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextRefusals, contextSourceKind } from './context-source.ts';

const build = { context: { configMap: { name: 'ctx' } } };

test('a build from an allowed source, and a spec without build, are not refused', () => {
  assert.equal(contextSourceKind(build), 'configMap');
  assert.deepEqual(contextRefusals(build, ['configMap']), []);
  assert.deepEqual(contextRefusals(undefined, []), []);
});

test('a source the admin turned off is refused at its field, saying which setting decides', () => {
  const [refusal, ...rest] = contextRefusals(build, []);
  assert.deepEqual(rest, []);
  assert.equal(refusal?.path, 'spec.build.context.configMap');
  assert.match(refusal!.message, /turned off in this cluster \(the administrator allows no Dockerfile builds; IMAGESPEC_BUILD_CONTEXT_SOURCES\)/);
});
