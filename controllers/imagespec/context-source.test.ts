import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextRefusals } from './context-source.ts';
import { contextSourceKind } from '../../api/context-sources.ts';

const build = { context: { configMap: { name: 'ctx' } } };

test('a build from an allowed source, and a spec without build, are not refused', () => {
  assert.equal(contextSourceKind(build.context), 'configMap');
  assert.deepEqual(contextRefusals(build, ['configMap']), []);
  assert.deepEqual(contextRefusals(undefined, []), []);
});

test('a source the admin turned off is refused at its field, saying which setting decides', () => {
  const [refusal, ...rest] = contextRefusals(build, []);
  assert.deepEqual(rest, []);
  assert.equal(refusal?.path, 'spec.build.context.configMap');
  assert.match(refusal!.message, /turned off in this cluster \(the administrator allows no Dockerfile builds; IMAGESPEC_BUILD_CONTEXT_SOURCES\)/);
});

test('an archive context is told apart and refused at spec.build.context.url when the admin allows only the others', () => {
  const archive = { context: { url: { href: 'https://example.com/app.tar.gz', sha256: 'a'.repeat(64) } } };
  assert.equal(contextSourceKind(archive.context), 'url');
  const [refusal] = contextRefusals(archive, ['configMap', 'persistentVolumeClaim']);
  assert.equal(refusal?.path, 'spec.build.context.url');
  assert.match(refusal!.message, /the administrator allows configMap, persistentVolumeClaim/);
  assert.deepEqual(contextRefusals(archive, ['url']), []);
});
