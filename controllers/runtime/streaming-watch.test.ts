import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { METADATA_ACCEPT } from './metadata-only.ts';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { lineSplitter, StreamingWatch } from './streaming-watch.ts';

test('lines are whole whatever the chunk boundaries', () => {
  const lines: string[] = [];
  const split = lineSplitter((line) => lines.push(line));
  for (const chunk of ['{"a":', '1}\n{"b"', ':2}\n\n{"c":3}\n{"d"']) split(chunk);
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}'], 'the unfinished last line waits');
  split(':4}\n');
  assert.deepEqual(lines.at(-1), '{"d":4}');
});

interface Served {
  kubeConfig: KubeConfig;
  requests: string[];
  accepts: string[];
  close: () => void;
}

async function serve(handler: (res: ServerResponse, url: string) => void): Promise<Served> {
  const requests: string[] = [];
  const accepts: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    accepts.push(String(req.headers.accept));
    handler(res, req.url ?? '');
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
  return {
    kubeConfig,
    requests,
    accepts,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function watchOnce(watch: StreamingWatch, params: Record<string, string | undefined> = {}) {
  const events: Array<{ type: string; name: unknown }> = [];
  const done = new Promise<unknown>((resolve) => {
    void watch.watch('/api/v1/pods', params, (type, obj) => events.push({ type, name: (obj as { metadata?: { name?: string } }).metadata?.name }), resolve);
  });
  return { events, done };
}

test('events arrive in order, split anywhere (even inside a character), and the end of the stream calls done once', async () => {
  const events = [
    { type: 'ADDED', object: { metadata: { name: 'ä-first' } } },
    { type: 'MODIFIED', object: { metadata: { name: 'second' } } },
    { type: 'DELETED', object: { metadata: { name: 'third' } } },
  ];
  const bytes = Buffer.from(`${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  const served = await serve((res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    // One byte at a time: the two bytes of "ä" arrive in separate writes.
    let i = 0;
    const next = () => {
      if (i >= bytes.length) return res.end();
      res.write(bytes.subarray(i, ++i), next);
    };
    next();
  });
  try {
    const watch = watchOnce(new StreamingWatch(served.kubeConfig), { resourceVersion: '42', labelSelector: 'a=b', unset: undefined });
    assert.equal(await watch.done, null);
    assert.deepEqual(watch.events, [
      { type: 'ADDED', name: 'ä-first' },
      { type: 'MODIFIED', name: 'second' },
      { type: 'DELETED', name: 'third' },
    ]);
    assert.deepEqual(served.requests, ['/api/v1/pods?watch=true&resourceVersion=42&labelSelector=a%3Db']);
  } finally {
    served.close();
  }
});

test('a refused watch ends with the status code', async () => {
  const served = await serve((res) => {
    res.writeHead(403, { 'Content-Type': 'application/json' });
    res.end('{"kind":"Status","code":403}');
  });
  try {
    const error = (await watchOnce(new StreamingWatch(served.kubeConfig)).done) as { statusCode?: number; message?: string };
    assert.equal(error.statusCode, 403);
    assert.equal(error.message, 'Forbidden');
  } finally {
    served.close();
  }
});

test('a silent connection is given up with a timeout error', async () => {
  const served = await serve((res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'only' } } })}\n`);
  });
  try {
    const watch = watchOnce(new StreamingWatch(served.kubeConfig, 200));
    const error = (await watch.done) as DOMException;
    assert.equal(error.name, 'TimeoutError');
    assert.deepEqual(watch.events, [{ type: 'ADDED', name: 'only' }]);
  } finally {
    served.close();
  }
});

test('aborting the returned controller ends the watch', async () => {
  const served = await serve((res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('\n');
  });
  try {
    let finished: (value: unknown) => void = () => undefined;
    const done = new Promise((resolve) => (finished = resolve));
    const controller = await new StreamingWatch(served.kubeConfig).watch('/api/v1/pods', {}, () => undefined, finished);
    controller.abort();
    const error = (await done) as Error | null;
    assert.ok(error === null || error instanceof Error, 'done is called');
  } finally {
    served.close();
  }
});

test('a metadata-only watch asks for PartialObjectMetadata; a plain one does not', async () => {
  const served = await serve((res) => res.writeHead(200).end('{"type":"ADDED","object":{"kind":"PartialObjectMetadata","metadata":{"name":"ctx"}}}\n'));
  try {
    const metadata = watchOnce(new StreamingWatch(served.kubeConfig, 1000, METADATA_ACCEPT));
    await metadata.done;
    assert.deepEqual(metadata.events, [{ type: 'ADDED', name: 'ctx' }]);
    await watchOnce(new StreamingWatch(served.kubeConfig)).done;
    assert.equal(served.accepts[0], 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');
    assert.notEqual(served.accepts[1], METADATA_ACCEPT);
  } finally {
    served.close();
  }
});
