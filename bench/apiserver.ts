// Snapshots of kube-apiserver's write counters (its own /metrics, read with the admin client) and
// of the Events other reporters left in the controller's namespace (see writes.ts).
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';
import { EventsV1Api } from '@kubernetes/client-node';
import { REPORTING_CONTROLLER } from '../controllers/runtime/eventbody.ts';
import type { Kube } from '../e2e/integration/harness.ts';
import { parsePrometheusText } from './prometheus-text.ts';
import { apiserverWriteCounts, otherReportersEventWrites, type WriteSnapshot } from './writes.ts';

/** GET `path` from the API server with the kubeconfig's credentials; rejects on any status but 200. */
export async function apiserverGet(kube: Kube, path: string, timeoutMs = 30_000): Promise<string> {
  const server = kube.kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const options: RequestOptions = {};
  await kube.kubeConfig.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), { ...options, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The API server's write counters and the Event writes of other reporters. The counters are
 * cluster-wide, so the Events subtracted from them are counted in every namespace too: the
 * scheduler's about our Pods, and whatever the controller manager or another suite tells elsewhere.
 */
export async function writeSnapshot(kube: Kube): Promise<WriteSnapshot> {
  const events = kube.kubeConfig.makeApiClient(EventsV1Api);
  const [metrics, list] = await Promise.all([apiserverGet(kube, '/metrics'), events.listEventForAllNamespaces()]);
  return {
    counts: apiserverWriteCounts(parsePrometheusText(metrics)),
    otherEventWrites: otherReportersEventWrites(list.items, REPORTING_CONTROLLER),
  };
}
