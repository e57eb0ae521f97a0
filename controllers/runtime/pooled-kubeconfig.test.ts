import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestContext, HttpMethod } from '@kubernetes/client-node';
import { PooledKubeConfig, tlsAgentOptions, tlsFingerprint } from './pooled-kubeconfig.ts';

// Placeholder PEM-looking material: the pool is keyed by content, nothing here is parsed.
const caA = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64');
const caB = Buffer.from('-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n').toString('base64');

function kubeConfig(caData: string, token = 't0'): PooledKubeConfig {
  const config = new PooledKubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caData }],
    users: [{ name: 'u', token }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

async function prepared(config: PooledKubeConfig): Promise<RequestContext> {
  const context = new RequestContext('https://127.0.0.1:6443/api/v1/pods', HttpMethod.GET);
  await config.applySecurityAuthentication(context);
  return context;
}

test('requests share one dispatcher and keep their credentials', async () => {
  const config = kubeConfig(caA);
  const first = await prepared(config);
  const second = await prepared(config);
  assert.ok(first.getDispatcher(), 'a TLS cluster gets a dispatcher');
  assert.equal(first.getDispatcher(), second.getDispatcher(), 'one pool for all requests');
  assert.equal(second.getHeaders()['Authorization'], 'Bearer t0');
  await config.close();
});

test('changed TLS material gets a new pool; equal material in another config is equal', async () => {
  const config = kubeConfig(caA);
  const before = (await prepared(config)).getDispatcher();
  config.clusters[0] = { ...config.clusters[0]!, caData: caB };
  const after = (await prepared(config)).getDispatcher();
  assert.notEqual(before, after);
  await config.close();
});

test('the fingerprint covers the server and every TLS setting, and only those', () => {
  const base = tlsAgentOptions({ ca: Buffer.from('a'), cert: Buffer.from('c'), key: Buffer.from('k'), headers: { Authorization: 'Bearer x' } });
  assert.deepEqual(Object.keys(base).sort(), ['ca', 'cert', 'key']);
  const same = tlsFingerprint('https://s', base);
  assert.equal(tlsFingerprint('https://s', { ...base }), same);
  assert.notEqual(tlsFingerprint('https://other', base), same);
  assert.notEqual(tlsFingerprint('https://s', { ...base, key: Buffer.from('k2') }), same);
  assert.notEqual(tlsFingerprint('https://s', { ...base, rejectUnauthorized: false }), same);
  // A value moved from one field to another is a different setting.
  assert.notEqual(tlsFingerprint('https://s', { ca: Buffer.from('c'), cert: Buffer.from('a'), key: Buffer.from('k') }), same);
});
