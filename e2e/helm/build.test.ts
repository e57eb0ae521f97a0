import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { helmBuildArgs, helmLdflags, helmModuleDir, helmPath, helmStamp, helmVersion, requiredVersion } from './build.ts';

const goMod = readFileSync(join(helmModuleDir, 'go.mod'), 'utf8');

test('the module pins a Helm v3 release and builds its upstream main package', () => {
  assert.match(helmVersion(goMod), /^v3\.\d+\.\d+$/);
  assert.match(goMod, /^tool helm\.sh\/helm\/v3\/cmd\/helm$/m);
  assert.match(readFileSync(join(helmModuleDir, 'go.sum'), 'utf8'), new RegExp(`^helm\\.sh/helm/v3 ${helmVersion(goMod)} h1:`, 'm'));
});

test('versions are read from require lines, single or in a block, never from comments', () => {
  assert.equal(requiredVersion('require helm.sh/helm/v3 v3.22.0\n', 'helm.sh/helm/v3'), 'v3.22.0');
  assert.equal(requiredVersion('require (\n\tk8s.io/client-go v0.37.0 // indirect\n)\n', 'k8s.io/client-go'), 'v0.37.0');
  assert.throws(() => requiredVersion('// helm.sh/helm/v3 v3.1.0\n', 'helm.sh/helm/v3'), /does not require helm\.sh\/helm\/v3/);
  assert.throws(() => requiredVersion('require helm.sh/helm/v3x v3.1.0\n', 'helm.sh/helm/v3'), /does not require/);
});

test('the binary lives in the cache directory, keyed on the version', () => {
  assert.equal(helmPath('v3.22.0', { IMAGESPEC_CACHE_DIR: '/c' }), '/c/helm-v3.22.0/bin/helm');
});

test('the release and the Kubernetes version of its client-go are stamped in, as Helm\'s release build does', () => {
  const flags = helmLdflags('v3.22.0', 'v0.37.0');
  assert.ok(flags.startsWith('-s -w '));
  assert.ok(flags.includes('-X helm.sh/helm/v3/internal/version.version=v3.22.0'));
  assert.ok(flags.includes('-X helm.sh/helm/v3/internal/version.metadata= '));
  for (const pkg of ['pkg/chartutil', 'pkg/lint/rules']) {
    assert.ok(flags.includes(`-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1 `), pkg);
    assert.ok(flags.includes(`-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=37`), pkg);
  }
  assert.throws(() => helmLdflags('v3.22.0', 'v1.2.3'), /client-go/);
});

test('go builds one stripped, path-free binary verbosely, to the given output', () => {
  const args = helmBuildArgs('/out/helm', goMod);
  assert.deepEqual(args.slice(0, 4), ['build', '-v', '-buildvcs=false', '-trimpath']);
  assert.equal(args[args.indexOf('-o') + 1], '/out/helm');
  assert.equal(args.at(-1), 'helm.sh/helm/v3/cmd/helm');
});

test('the stamp changes with every input', () => {
  const inputs = { goMod, goSum: 'sum', goVersion: 'go version go1.26.8 linux/amd64' };
  const base = helmStamp(inputs);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(helmStamp({ ...inputs }), base);
  for (const key of Object.keys(inputs) as (keyof typeof inputs)[]) {
    assert.notEqual(helmStamp({ ...inputs, [key]: `${inputs[key]}\n` }), base, key);
  }
});
