import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildStamp, goBuildArgs, goEnv, versionLdflags } from './build.ts';

const inputs = { goMod: 'module x', goSum: 'sum', mainGo: 'package main', goVersion: 'go version go1.26.8 linux/amd64', version: 'v1.37.2' };

test('the stamp changes with every input', () => {
  const base = buildStamp(inputs);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(buildStamp({ ...inputs }), base);
  for (const key of Object.keys(inputs) as (keyof typeof inputs)[]) {
    assert.notEqual(buildStamp({ ...inputs, [key]: `${inputs[key]} changed` }), base, key);
  }
});

test('go builds one stripped, path-free binary verbosely', () => {
  const args = goBuildArgs('/out/k8s', 'v1.37.2');
  assert.equal(args[0], 'build');
  for (const flag of ['-v', '-trimpath']) assert.ok(args.includes(flag), flag);
  assert.ok(args.some((a) => a.startsWith('-ldflags=-s -w -X ')));
  assert.equal(args[args.indexOf('-o') + 1], '/out/k8s');
});

test('go caches live under the cache directory, statically linked, without toolchain downloads', () => {
  const env = goEnv('/c', { PATH: '/bin', GOFLAGS: '-mod=vendor' });
  assert.equal(env['GOCACHE'], '/c/go/build');
  assert.equal(env['GOMODCACHE'], '/c/go/mod');
  assert.equal(env['GOFLAGS'], '-modcacherw');
  assert.equal(env['GOTOOLCHAIN'], 'local');
  assert.equal(env['CGO_ENABLED'], '0');
  assert.equal(env['PATH'], '/bin');
});

test('the release is stamped into both version packages', () => {
  const flags = versionLdflags('v1.37.2');
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    assert.ok(flags.includes(`-X ${pkg}.gitVersion=v1.37.2`));
    assert.ok(flags.includes(`-X ${pkg}.gitMajor=1`));
    assert.ok(flags.includes(`-X ${pkg}.gitMinor=37`));
  }
  assert.throws(() => versionLdflags('master'), /release version/);
});
