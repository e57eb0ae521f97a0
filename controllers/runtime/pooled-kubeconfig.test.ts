import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestContext, HttpMethod } from '@kubernetes/client-node';
import { PooledKubeConfig, sameTlsMaterial, tlsAgentOptions } from './pooled-kubeconfig.ts';

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

test('TLS material is the same only when the server and every TLS setting are', () => {
  const base = tlsAgentOptions({ ca: Buffer.from('a'), cert: Buffer.from('c'), key: Buffer.from('k'), headers: { Authorization: 'Bearer x' } });
  assert.deepEqual(Object.keys(base).sort(), ['ca', 'cert', 'key']);
  const same = (server: string, options: typeof base) => sameTlsMaterial({ server: 'https://s', options: base }, { server, options });
  assert.equal(same('https://s', { ca: Buffer.from('a'), cert: Buffer.from('c'), key: Buffer.from('k') }), true, 'equal bytes in new buffers');
  assert.equal(same('https://other', base), false);
  assert.equal(same('https://s', { ...base, key: Buffer.from('k2') }), false);
  assert.equal(same('https://s', { ...base, rejectUnauthorized: false }), false);
  assert.equal(same('https://s', { ...base, ca: [Buffer.from('a')] }), false, 'a list is not its one element');
  // A value moved from one field to another is a different setting.
  assert.equal(same('https://s', { ca: Buffer.from('c'), cert: Buffer.from('a'), key: Buffer.from('k') }), false);
});

test('API clients it makes send with request(), not fetch, and name the controller', async () => {
  const { createServer } = await import('node:http');
  const seen: Array<{ url?: string; agent?: string; auth?: string; fetchMode?: string }> = [];
  const server = createServer((req, res) => {
    // fetch() marks every request with sec-fetch-mode; request() sends only what it is given.
    seen.push({ url: req.url, agent: req.headers['user-agent'], auth: req.headers.authorization, fetchMode: req.headers['sec-fetch-mode'] as string | undefined });
    res.setHeader('Content-Type', 'application/json');
    if (req.url?.includes('/missing')) {
      res.statusCode = 404;
      res.end(JSON.stringify({ kind: 'Status', reason: 'NotFound', code: 404, message: 'pods "missing" not found' }));
      return;
    }
    res.end(JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const config = new PooledKubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't1' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const core = config.makeApiClient(CoreV1Api);
  try {
    const pod = await core.readNamespacedPod({ namespace: 'ns', name: 'p' });
    assert.equal(pod.metadata?.name, 'p');
    assert.ok(pod.metadata?.creationTimestamp instanceof Date, 'still deserialised by client-node');
    await assert.rejects(core.readNamespacedPod({ namespace: 'ns', name: 'missing' }), (error: { code?: number; body?: unknown }) => {
      assert.equal(error.code, 404);
      assert.match(JSON.stringify(error.body), /not found/);
      return true;
    });
    assert.deepEqual(seen, [
      { url: '/api/v1/namespaces/ns/pods/p', agent: 'imagespec-controller', auth: 'Bearer t1', fetchMode: undefined },
      { url: '/api/v1/namespaces/ns/pods/missing', agent: 'imagespec-controller', auth: 'Bearer t1', fetchMode: undefined },
    ]);
  } finally {
    await config.close();
    server.close();
  }
});
