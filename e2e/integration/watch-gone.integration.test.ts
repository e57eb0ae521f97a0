// A watch the API server answers 410 Gone: the informer lists again and misses nothing.
//
// The API server keeps a bounded window of history in its watch cache, which starts afresh when the
// server restarts: a watch resumed from a resource version older than that window is answered
// 410 Gone. Here the real API server is restarted after the test notes a resource version and
// changes something, so that version is no longer held; the informer's first list then reports it,
// and an object is created between that list and the watch. The informer must list again, hold
// both objects and keep watching.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { clusterUp, startComponent, stopComponent } from '../cluster/cluster.ts';
import { ResilientInformer } from '../../controllers/runtime/informer.ts';
import { plain } from '../../controllers/runtime/kube.ts';
import { createLogger } from '../../controllers/runtime/logger.ts';
import { connect, type Kube } from './harness.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { waitFor } from '../wait.ts';

let kube: Kube;
let namespace: string;

before(async () => {
  const { kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  kube = connect(kubeconfig);
  namespace = await createNamespace(kube, uniqueNamespaceName('watch-gone'));
});

after(async () => {
  if (kube) await deleteNamespaces(kube, [namespace]);
});

const configMap = (name: string): V1ConfigMap => ({ metadata: { name }, data: { name } });
const log = (line: string) => process.stderr.write(`[watch-gone] ${line}\n`);

/** How the API server answers a watch from `resourceVersion`: 'gone' for 410, else what it said. */
function watchAnswer(path: string, resourceVersion: string): Promise<string> {
  return new Promise((resolve) => {
    let request: { abort(): void } | undefined;
    const settle = (answer: string) => {
      request?.abort();
      resolve(answer);
    };
    new Watch(kube.kubeConfig)
      .watch(
        path,
        { resourceVersion },
        (phase, object: { code?: number }) => settle(phase === 'ERROR' && object.code === 410 ? 'gone' : `${phase} ${JSON.stringify(object).slice(0, 200)}`),
        (error: unknown) => settle(`ended: ${String(error)}`),
      )
      .then((started) => (request = started), (error: unknown) => settle(`refused: ${String(error)}`));
  });
}

/** A resource version of the namespace's ConfigMaps that the API server, restarted since, no longer holds. */
async function versionTheServerForgot(path: string): Promise<string> {
  const noted = (await kube.core.listNamespacedConfigMap({ namespace })).metadata?.resourceVersion ?? '';
  await kube.core.createNamespacedConfigMap({ namespace, body: configMap('before') });
  await stopComponent('kube-apiserver', log);
  await startComponent('kube-apiserver', log);
  // Its watch cache fills again after /readyz: wait until it answers the old version with 410.
  await waitFor(`a watch from resource version ${noted} answered 410 Gone`, async () => (await watchAnswer(path, noted)) === 'gone', 60_000, 500);
  return noted;
}

test('a watch answered 410 Gone: the informer lists again, holds what changed meanwhile, and keeps watching', async () => {
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  const forgotten = await versionTheServerForgot(path);
  let lists = 0;
  const seen = new Set<string>();
  const complaints: string[] = [];
  const logger = createLogger({ level: 'warn', format: 'json' });
  logger.on('data', (entry: { level?: string; message?: string }) => {
    if (entry.level === 'warn' || entry.level === 'error') complaints.push(String(entry.message));
  });
  const informer = new ResilientInformer<V1ConfigMap>(kube.kubeConfig, {
    kind: 'ConfigMap',
    path,
    list: async () => {
      lists += 1;
      const listed = plain(await kube.core.listNamespacedConfigMap({ namespace }));
      if (lists > 1) return listed;
      // Created after the list the informer holds, before its watch: only a new list can find it.
      await kube.core.createNamespacedConfigMap({ namespace, body: configMap('meanwhile') });
      return { ...listed, metadata: { ...listed.metadata, resourceVersion: forgotten } };
    },
    onEvent: (object) => seen.add(object.metadata?.name ?? ''),
    log: logger,
  });
  try {
    await informer.start();
    await waitFor('the informer to list again after 410 Gone', async () => lists >= 2 && informer.get('meanwhile', namespace) !== undefined, 30_000, 100);
    assert.ok(informer.get('before', namespace), 'what the first list found is kept');
    assert.ok(seen.has('meanwhile'), 'the object created meanwhile reached the handler');

    await kube.core.createNamespacedConfigMap({ namespace, body: configMap('after') });
    await waitFor('the watch to deliver a new object', async () => informer.get('after', namespace) !== undefined, 30_000, 100);
    assert.equal(lists, 2, 'one list for the 410, not a loop of them');
    assert.deepEqual(complaints, [], 'a 410 is routine: no warning, no restart of the informer');
  } finally {
    await informer.stop();
  }
});
