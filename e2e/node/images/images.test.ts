import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debianMirror } from './build.ts';
import { imageConfigJson, indexJson, manifestJson, mediaTypes, sha256 } from './oci.ts';
import { allRecipes, debianRecipe, notebookUser, pythonRecipe, recipeHash, taggedRefs } from './recipes.ts';

test('a recipe hash changes with the recipe and with the files it reads', () => {
  const hash = recipeHash(debianRecipe);
  assert.match(hash, /^[0-9a-f]{12}$/);
  assert.equal(recipeHash(debianRecipe), hash);
  assert.notEqual(recipeHash({ ...debianRecipe, tag: 'other' }), hash);
  assert.notEqual(recipeHash(debianRecipe, ['main.go v2']), hash);
});

test('images are published under their tag and a tag pinned to the recipe', () => {
  assert.deepEqual(taggedRefs(debianRecipe, 'abc'), {
    plain: '127.0.0.1:5001/base/debian:bookworm',
    pinned: '127.0.0.1:5001/base/debian:bookworm-abc',
  });
});

test('the python base runs as its notebook user with the venv first on PATH', () => {
  assert.equal(pythonRecipe.config.User, notebookUser.name);
  assert.match(pythonRecipe.config.Env?.find((e) => e.startsWith('PATH=')) ?? '', /^PATH=\/opt\/venv\/bin:/);
  assert.equal(new Set(allRecipes.map((r) => r.repository)).size, allRecipes.length);
});

test('the mirror is read from deb822 and one-line apt sources', () => {
  assert.equal(debianMirror(['Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n']), 'http://mirror.example/debian');
  assert.equal(debianMirror(['deb [arch=amd64] http://m.example/debian bookworm main\n']), 'http://m.example/debian');
  assert.equal(debianMirror(['']), undefined);
});

test('OCI documents reference their blobs by digest', () => {
  const config = JSON.parse(imageConfigJson({ User: 'jovyan' }, ['sha256:aa'], '2026-01-01T00:00:00Z')) as Record<string, any>;
  assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: ['sha256:aa'] });
  assert.equal(config.config.User, 'jovyan');
  assert.equal(config.history.length, 1);
  const configDescriptor = { mediaType: mediaTypes.config, digest: sha256('{}'), size: 2 };
  const manifest = JSON.parse(manifestJson(configDescriptor, [])) as Record<string, any>;
  assert.equal(manifest.schemaVersion, 2);
  assert.equal(manifest.config.digest, sha256('{}'));
  const index = JSON.parse(indexJson({ mediaType: mediaTypes.manifest, digest: 'sha256:bb', size: 1 }, 'bookworm-abc')) as Record<string, any>;
  assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'bookworm-abc');
  assert.equal(sha256('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
