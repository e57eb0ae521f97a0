import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binDir, cacheDir, parseKubernetesVersion } from './paths.ts';

test('reads the pinned release from a go.mod require block', () => {
  const goMod = '// requires k8s.io/kubernetes v0.0.0 in a comment\nmodule x\n\nrequire (\n\tgithub.com/spf13/cobra v1.10.2\n\tk8s.io/kubernetes v1.37.2\n)\n';
  assert.equal(parseKubernetesVersion(goMod), 'v1.37.2');
});

test('reads a single-line require', () => {
  assert.equal(parseKubernetesVersion('module x\nrequire k8s.io/kubernetes v1.36.3\n'), 'v1.36.3');
});

test('refuses a go.mod without the pinned release', () => {
  assert.throws(() => parseKubernetesVersion('module x\n'), /k8s.io\/kubernetes/);
});

test('the cache directory honours IMAGESPEC_CACHE_DIR and keys binaries on the version', () => {
  assert.equal(cacheDir({ IMAGESPEC_CACHE_DIR: '/c' }), '/c');
  assert.equal(binDir('v1.37.2', { IMAGESPEC_CACHE_DIR: '/c' }), '/c/k8s-v1.37.2/bin');
  assert.match(cacheDir({}), /\.cache\/imagespec-controller$/);
});
