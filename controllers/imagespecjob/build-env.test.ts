import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildEnvironment, envRefusals } from './build-env.ts';

const PROXY = 'http://127.0.0.1:3128';
const DEFAULT_ALLOWED = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'];

test('names the admin allows pass, in either letter case for the proxies', () => {
  assert.deepEqual(envRefusals([{ name: 'HTTP_PROXY', value: PROXY }, { name: 'no_proxy', value: '.internal' }], DEFAULT_ALLOWED), []);
  assert.deepEqual(envRefusals(undefined, DEFAULT_ALLOWED), []);
});

test('every other name is refused, naming the field, the allowed names and the setting', () => {
  const refused = envRefusals([{ name: 'HTTP_PROXY', value: PROXY }, { name: 'LD_PRELOAD', value: '/x.so' }, { name: 'http_proxyx', value: 'y' }], DEFAULT_ALLOWED);
  assert.deepEqual(refused.map((r) => r.path), ['spec.env[1].name', 'spec.env[2].name']);
  assert.match(refused[0]!.message, /"LD_PRELOAD" is not a variable this cluster lets an ImageSpec set \(the administrator allows HTTP_PROXY, HTTPS_PROXY, NO_PROXY; IMAGESPEC_BUILD_ENV_ALLOWED\)/);
  assert.match(envRefusals([{ name: 'HTTP_PROXY', value: PROXY }], [])[0]!.message, /allows no variable here/);
});

test('an admin-allowed name that is not a proxy matches exactly', () => {
  assert.deepEqual(envRefusals([{ name: 'GOPROXY', value: 'off' }], ['GOPROXY']), []);
  assert.equal(envRefusals([{ name: 'goproxy', value: 'off' }], ['GOPROXY']).length, 1);
});

test('the build gets the admin defaults, each overridden by the job, proxies in both letter cases, sorted', () => {
  const env = buildEnvironment(
    { defaults: [{ name: 'HTTP_PROXY', value: PROXY }, { name: 'NO_PROXY', value: '.cluster.local' }], allowed: [...DEFAULT_ALLOWED, 'GOPROXY'] },
    [{ name: 'no_proxy', value: '.team-a.internal' }, { name: 'GOPROXY', value: 'off' }],
  );
  assert.deepEqual(env, [
    { name: 'GOPROXY', value: 'off' },
    { name: 'HTTP_PROXY', value: PROXY },
    { name: 'NO_PROXY', value: '.team-a.internal' },
    { name: 'http_proxy', value: PROXY },
    { name: 'no_proxy', value: '.team-a.internal' },
  ]);
});

test('a job value for a name the admin no longer allows is left out', () => {
  const env = buildEnvironment({ defaults: [{ name: 'HTTPS_PROXY', value: PROXY }], allowed: [] }, [{ name: 'HTTPS_PROXY', value: 'http://127.0.0.2:1' }]);
  assert.deepEqual(env, [
    { name: 'HTTPS_PROXY', value: PROXY },
    { name: 'https_proxy', value: PROXY },
  ]);
  assert.deepEqual(buildEnvironment({ defaults: [], allowed: DEFAULT_ALLOWED }, undefined), []);
});
