import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { makeClients } from './kube.ts';
import { untypedJson } from './untyped-json.ts';

const podList = {
  apiVersion: 'v1',
  kind: 'PodList',
  metadata: { resourceVersion: '42', continue: 'next-page' },
  items: [{ metadata: { name: 'p', namespace: 'ns', creationTimestamp: '2026-11-24T10:00:00Z' }, status: { phase: 'Running' } }],
};

async function withServer(status: number, body: unknown, run: (kubeConfig: KubeConfig, requests: string[]) => Promise<void>): Promise<void> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  try {
    await run(kubeConfig, requests);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

test('a typed list comes back as the server sent it: strings stay strings, continue keeps its name', async () => {
  await withServer(200, podList, async (kubeConfig, requests) => {
    const { core } = makeClients(kubeConfig);
    const list = await untypedJson<typeof podList>((options) => core.listNamespacedPod({ namespace: 'ns', labelSelector: 'a=b', limit: 500 }, options));
    assert.deepEqual(list, podList);
    assert.equal(typeof list.items[0]!.metadata.creationTimestamp, 'string', 'no Date: the typing never saw the items');
    assert.deepEqual(requests, ['/api/v1/namespaces/ns/pods?labelSelector=a%3Db&limit=500'], "client-node's own URL and parameters");
  });
});

test('a failed call raises client-node’s ApiException with the status code', async () => {
  await withServer(403, { kind: 'Status', code: 403, message: 'pods is forbidden' }, async (kubeConfig) => {
    const { core } = makeClients(kubeConfig);
    await assert.rejects(
      untypedJson((options) => core.listNamespacedPod({ namespace: 'ns' }, options)),
      (error: unknown) => error instanceof ApiException && error.code === 403,
    );
  });
});

test('other calls on the same client stay typed', async () => {
  await withServer(200, podList, async (kubeConfig) => {
    const { core } = makeClients(kubeConfig);
    await untypedJson((options) => core.listNamespacedPod({ namespace: 'ns' }, options));
    const typed = await core.listNamespacedPod({ namespace: 'ns' });
    assert.ok(typed.items[0]!.metadata!.creationTimestamp instanceof Date, 'the middleware was for one call only');
    assert.equal(typed.metadata?._continue, 'next-page');
  });
});

test('an Accept header given replaces the typed call\'s (a metadata-only list)', async () => {
  const accepts: string[] = [];
  const server = createServer((req, res) => {
    accepts.push(String(req.headers.accept));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'PartialObjectMetadataList', items: [{ metadata: { name: 'ctx', namespace: 'ns' } }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as { port: number }).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const { core } = makeClients(kubeConfig);
    const accept = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
    const list = await untypedJson<{ items: { metadata: { name: string } }[] }>((options) => core.listNamespacedConfigMap({ namespace: 'ns' }, options), accept);
    assert.deepEqual(list.items.map((item) => item.metadata.name), ['ctx']);
    await untypedJson((options) => core.listNamespacedConfigMap({ namespace: 'ns' }, options));
    assert.equal(accepts[0], accept);
    assert.notEqual(accepts[1], accept, 'without one, the call keeps its own');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
