import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfig, describeConfig, resolveVariables } from './parse.ts';
import { mergeEnv } from './load.ts';
import { VARIABLES } from './variables.ts';
import { transportFor } from '../registry/client.ts';

const defaults = { logFormat: 'text' as const };

test('defaults alone give a valid config without a registry', () => {
  const result = parseConfig({}, defaults);
  assert.ok(result.ok);
  assert.equal(result.config.registry, undefined);
  assert.equal(result.config.build.timeoutSeconds, 1800);
  assert.equal(result.config.historySucceeded, 5);
  assert.equal(result.config.historyFailed, 5);
  assert.equal(result.config.build.security.privileged, false);
  assert.equal(result.config.build.security.seccompProfile, 'Unconfined');
  assert.deepEqual(result.config.namespaces, []);
});

test('PrimeHub variable names are accepted', () => {
  const result = parseConfig(
    {
      PRIMEHUB_CUSTOM_IMAGE_REGISTRY_ENDPOINT: 'https://registry.example.com',
      PRIMEHUB_CUSTOM_IMAGE_REGISTRY_USERNAME: 'robot',
      PRIMEHUB_CUSTOM_IMAGE_REGISTRY_PASSWORD: 's3cret',
      PRIMEHUB_CUSTOM_IMAGE_REPO_PREFIX: 'registry.example.com/team',
    },
    defaults,
  );
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.config.registry, {
    endpoint: 'registry.example.com',
    username: 'robot',
    password: 's3cret',
    repoPrefix: 'registry.example.com/team',
    pushRepo: undefined,
    imagePath: 'namespaced',
    insecure: false,
  });
});

test('image paths contain the namespace unless the admin chooses the flat path', () => {
  const registry = { IMAGESPEC_REGISTRY_ENDPOINT: 'registry.example.com' };
  const byDefault = parseConfig(registry, defaults);
  assert.ok(byDefault.ok);
  assert.equal(byDefault.config.registry?.imagePath, 'namespaced');
  const flat = parseConfig({ ...registry, IMAGESPEC_IMAGE_PATH: 'flat' }, defaults);
  assert.ok(flat.ok);
  assert.equal(flat.config.registry?.imagePath, 'flat');
  const bad = parseConfig({ ...registry, IMAGESPEC_IMAGE_PATH: 'per-user' }, defaults);
  assert.ok(!bad.ok);
  assert.match(bad.errors.join('\n'), /IMAGESPEC_IMAGE_PATH: must be one of \["namespaced","flat"\]/);
});

test('the project name wins over the PrimeHub alias', () => {
  const values = resolveVariables({ IMAGESPEC_REGISTRY_ENDPOINT: 'a.example', PRIMEHUB_CUSTOM_IMAGE_REGISTRY_ENDPOINT: 'b.example' });
  assert.equal(values.IMAGESPEC_REGISTRY_ENDPOINT, 'a.example');
});

test('an http:// endpoint is an insecure registry and joins the insecure list', () => {
  const result = parseConfig({ IMAGESPEC_REGISTRY_ENDPOINT: 'http://127.0.0.1:5000', IMAGESPEC_INSECURE_REGISTRIES: '127.0.0.1:5001' }, defaults);
  assert.ok(result.ok);
  assert.equal(result.config.registry?.insecure, true);
  assert.equal(result.config.registry?.repoPrefix, '127.0.0.1:5000');
  assert.deepEqual(result.config.build.insecureRegistries, ['127.0.0.1:5001', '127.0.0.1:5000']);
});

test('bad values are reported one per variable, by name, without echoing values', () => {
  const result = parseConfig(
    {
      IMAGESPEC_REGISTRY_ENDPOINT: 'not a host!',
      IMAGESPEC_BUILD_TIMEOUT_SECONDS: 'soon',
      IMAGESPEC_LOG_LEVEL: 'loud',
      IMAGESPEC_HISTORY_FAILED: '100000',
      IMAGESPEC_BUILD_MEMORY_LIMIT: '4 gigs',
    },
    defaults,
  );
  assert.equal(result.ok, false);
  const errors = result.ok ? [] : result.errors;
  for (const name of ['IMAGESPEC_REGISTRY_ENDPOINT', 'IMAGESPEC_BUILD_TIMEOUT_SECONDS', 'IMAGESPEC_LOG_LEVEL', 'IMAGESPEC_HISTORY_FAILED', 'IMAGESPEC_BUILD_MEMORY_LIMIT']) {
    assert.ok(errors.some((e) => e.startsWith(`${name}:`)), `${name} missing in ${JSON.stringify(errors)}`);
  }
  assert.ok(!errors.join('\n').includes('not a host!'));
});

test('a prefix on another registry than the endpoint is refused', () => {
  const result = parseConfig({ IMAGESPEC_REGISTRY_ENDPOINT: 'a.example', IMAGESPEC_REPO_PREFIX: 'b.example/team' }, defaults);
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.errors[0]!, /^IMAGESPEC_REPO_PREFIX:/);
});

test('a password without a user is refused', () => {
  const result = parseConfig({ IMAGESPEC_REGISTRY_ENDPOINT: 'a.example', IMAGESPEC_REGISTRY_PASSWORD: 'x' }, defaults);
  assert.equal(result.ok, false);
});

test('the process environment takes precedence over the .env file', () => {
  assert.deepEqual(mergeEnv({ A: 'file', B: 'file' }, { A: 'process' }), { A: 'process', B: 'file' });
});

test('describeConfig never contains the password', () => {
  const result = parseConfig({ IMAGESPEC_REGISTRY_ENDPOINT: 'a.example', IMAGESPEC_REGISTRY_USERNAME: 'u', IMAGESPEC_REGISTRY_PASSWORD: 'hunter2-secret' }, defaults);
  assert.ok(result.ok);
  assert.ok(!JSON.stringify(describeConfig(result.config)).includes('hunter2-secret'));
});

test('.env.example documents every variable with its default', () => {
  const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  for (const variable of VARIABLES) {
    const line = example.split('\n').find((l) => l.replace(/^#\s*/, '').startsWith(`${variable.name}=`));
    assert.ok(line, `${variable.name} is not in .env.example`);
    if (variable.default !== undefined) {
      assert.equal(line.replace(/^#\s*/, ''), `${variable.name}=${variable.default}`, `${variable.name} default differs`);
    }
  }
});

test('the build cache is a hostPath or a claim', () => {
  const host = parseConfig({ IMAGESPEC_BUILD_CACHE: 'hostPath:/var/lib/imagespec/cache' }, defaults);
  assert.ok(host.ok);
  assert.deepEqual(host.config.build.cache, { hostPath: '/var/lib/imagespec/cache' });
  const claim = parseConfig({ IMAGESPEC_BUILD_CACHE: 'pvc:build-cache' }, defaults);
  assert.ok(claim.ok);
  assert.deepEqual(claim.config.build.cache, { claimName: 'build-cache' });
  const none = parseConfig({}, defaults);
  assert.ok(none.ok);
  assert.equal(none.config.build.cache, undefined);
  assert.equal(parseConfig({ IMAGESPEC_BUILD_CACHE: 'hostPath:relative' }, defaults).ok, false);
});

test('leader election is off by default, with client-go\'s timings', () => {
  const result = parseConfig({}, defaults);
  assert.ok(result.ok);
  assert.deepEqual(result.config.leaderElection, {
    enabled: false,
    namespace: undefined,
    leaseName: 'imagespec-controller',
    leaseDurationSeconds: 15,
    renewDeadlineSeconds: 10,
    retryPeriodSeconds: 2,
  });
  assert.equal(result.config.shutdownTimeoutSeconds, 25);
});

test('leader election timings must let the leader give up before others take over', () => {
  const on = { IMAGESPEC_LEADER_ELECT: 'true' };
  assert.ok(parseConfig({ ...on, IMAGESPEC_LEADER_ELECTION_NAMESPACE: 'ops', IMAGESPEC_RETRY_PERIOD_SECONDS: '1' }, defaults).ok);
  const late = parseConfig({ ...on, IMAGESPEC_RENEW_DEADLINE_SECONDS: '15' }, defaults);
  assert.deepEqual(late.ok ? [] : late.errors, ['IMAGESPEC_RENEW_DEADLINE_SECONDS: must be less than IMAGESPEC_LEASE_DURATION_SECONDS']);
  const slow = parseConfig({ ...on, IMAGESPEC_RETRY_PERIOD_SECONDS: '10' }, defaults);
  assert.deepEqual(slow.ok ? [] : slow.errors, ['IMAGESPEC_RETRY_PERIOD_SECONDS: must be less than IMAGESPEC_RENEW_DEADLINE_SECONDS']);
  assert.ok(parseConfig({ IMAGESPEC_RETRY_PERIOD_SECONDS: '10' }, defaults).ok, 'unused timings are not checked');
  assert.equal(parseConfig({ ...on, IMAGESPEC_LEADER_ELECTION_NAMESPACE: 'Not_A_Namespace' }, defaults).ok, false);
});

test('build proxies become the build step\'s defaults; tenants may set the proxies unless the admin says otherwise', () => {
  const plain = parseConfig({}, defaults);
  assert.ok(plain.ok);
  assert.deepEqual(plain.config.build.env, { defaults: [], allowed: ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'] });
  const proxied = parseConfig(
    { IMAGESPEC_BUILD_HTTP_PROXY: 'http://127.0.0.1:3128', IMAGESPEC_BUILD_NO_PROXY: '.svc,10.0.0.0/8', IMAGESPEC_BUILD_ENV_ALLOWED: 'none' },
    defaults,
  );
  assert.ok(proxied.ok, JSON.stringify(proxied));
  assert.deepEqual(proxied.config.build.env, {
    defaults: [
      { name: 'HTTP_PROXY', value: 'http://127.0.0.1:3128' },
      { name: 'NO_PROXY', value: '.svc,10.0.0.0/8' },
    ],
    allowed: [],
  });
});

test('a build proxy with credentials or without a scheme is refused, never echoed', () => {
  const withCredentials = parseConfig({ IMAGESPEC_BUILD_HTTPS_PROXY: 'http://robot:hunter2@proxy.example.com:3128' }, defaults);
  assert.ok(!withCredentials.ok);
  assert.deepEqual(withCredentials.errors.length, 1);
  assert.match(withCredentials.errors[0]!, /^IMAGESPEC_BUILD_HTTPS_PROXY: must not contain a user name or password/);
  assert.ok(!withCredentials.errors[0]!.includes('hunter2'));
  const noScheme = parseConfig({ IMAGESPEC_BUILD_HTTP_PROXY: 'proxy.example.com:3128', IMAGESPEC_BUILD_ENV_ALLOWED: 'HTTP_PROXY;LD_PRELOAD' }, defaults);
  assert.ok(!noScheme.ok);
  assert.deepEqual(noScheme.errors.map((e) => e.split(':')[0]).sort(), ['IMAGESPEC_BUILD_ENV_ALLOWED', 'IMAGESPEC_BUILD_HTTP_PROXY']);
});

test('the push registry is insecure or unverified when a list names it; the skip-verify list reaches registries.conf', () => {
  const listed = parseConfig({ IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:5443', IMAGESPEC_INSECURE_REGISTRIES: '127.0.0.1:5443' }, defaults);
  assert.ok(listed.ok);
  assert.deepEqual(transportFor('127.0.0.1:5443', listed.config.build, undefined), { insecure: true });
  const skipped = parseConfig({ IMAGESPEC_REGISTRY_ENDPOINT: '127.0.0.1:5443', IMAGESPEC_SKIP_TLS_VERIFY_REGISTRIES: 'r.internal:5443,127.0.0.1:5443' }, defaults);
  assert.ok(skipped.ok);
  assert.deepEqual(transportFor('127.0.0.1:5443', skipped.config.build, 'PEM'), { insecure: false, skipTlsVerify: true, extraCa: 'PEM' });
  assert.deepEqual(skipped.config.build.skipTlsVerifyRegistries, ['r.internal:5443', '127.0.0.1:5443']);
  assert.deepEqual(skipped.config.build.insecureRegistries, []);
  const withCa = parseConfig({ IMAGESPEC_REGISTRY_CA_FILE: '/etc/imagespec/registry-ca/ca.crt' }, defaults);
  assert.ok(withCa.ok);
  assert.deepEqual(withCa.config.registryCa, { file: '/etc/imagespec/registry-ca/ca.crt' });
});

test('the build context sources tenants may use: all three by default, a list, none, and nothing else', () => {
  const sources = (value?: string) => {
    const result = parseConfig(value === undefined ? {} : { IMAGESPEC_BUILD_CONTEXT_SOURCES: value }, defaults);
    return result.ok ? result.config.build.contextSources : result.errors.join('\n');
  };
  assert.deepEqual(sources(), ['configMap', 'persistentVolumeClaim', 'url']);
  assert.deepEqual(sources('configMap'), ['configMap']);
  assert.deepEqual(sources('url,configMap'), ['url', 'configMap']);
  assert.deepEqual(sources('none'), []);
  assert.match(String(sources('git')), /^IMAGESPEC_BUILD_CONTEXT_SOURCES: /);
  assert.match(String(sources('configMap,')), /^IMAGESPEC_BUILD_CONTEXT_SOURCES: /);
});

test('the largest context archive: 256 MiB by default, a whole number of MiB from 1', () => {
  const maxMib = (value?: string) => {
    const result = parseConfig(value === undefined ? {} : { IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB: value }, defaults);
    return result.ok ? result.config.build.contextUrlMaxMib : result.errors.join('\n');
  };
  assert.equal(maxMib(), 256);
  assert.equal(maxMib('1'), 1);
  assert.match(String(maxMib('0')), /^IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB: /);
  assert.match(String(maxMib('1.5')), /^IMAGESPEC_BUILD_CONTEXT_URL_MAX_MIB: /);
});

test('the registry layer cache: off by default, and only with a registry and a repository prefix', () => {
  const parsed = (values: Record<string, string>) => parseConfig(values, defaults);
  const off = parsed({ IMAGESPEC_REGISTRY_ENDPOINT: 'registry.example.com' });
  assert.equal(off.ok && off.config.build.registryCache, false);
  const on = parsed({ IMAGESPEC_REGISTRY_ENDPOINT: 'registry.example.com', IMAGESPEC_REPO_PREFIX: 'registry.example.com/team', IMAGESPEC_BUILD_REGISTRY_CACHE: 'true' });
  assert.equal(on.ok && on.config.build.registryCache, true);
  const refusedSettings: Record<string, string>[] = [{ IMAGESPEC_BUILD_REGISTRY_CACHE: 'true' }, { IMAGESPEC_REGISTRY_ENDPOINT: 'r.example.com', IMAGESPEC_PUSH_REPO: 'r.example.com/all', IMAGESPEC_BUILD_REGISTRY_CACHE: 'true' }];
  for (const values of refusedSettings) {
    const refused = parsed(values);
    assert.ok(!refused.ok && refused.errors.some((error) => error.startsWith('IMAGESPEC_BUILD_REGISTRY_CACHE: needs a registry with a repository prefix')), JSON.stringify(refused));
  }
});
