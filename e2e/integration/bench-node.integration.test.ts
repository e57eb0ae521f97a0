// The benchmark's Node (bench/node.ts) against the real control plane: kube-controller-manager
// lifts the taint every new Node gets, kube-scheduler binds a Pod that selects the Node, the
// Lease is renewed, and the clean-up leaves neither Pod, Lease nor Node behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api, type V1Pod } from '@kubernetes/client-node';
import { isNotFound } from '../../controllers/runtime/errors.ts';
import { BENCH_RUN_LABEL, BenchNode, deletePodsNow, LEASE_RENEW_MS, NODE_LEASE_NAMESPACE, schedulable } from '../../bench/node.ts';
import { clusterUp } from '../cluster/cluster.ts';
import { connect, listPods, type Kube } from './harness.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { waitFor } from '../wait.ts';

let kube: Kube;
let namespace: string;
let node: BenchNode;
const log = (line: string) => process.stderr.write(`[bench-node] ${line}\n`);

const gone = (read: () => Promise<unknown>) => read().then(() => false, (error: unknown) => isNotFound(error));

before(async () => {
  const kubeconfig = process.env['KUBECONFIG'] || (await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) })).kubeconfig;
  kube = connect(kubeconfig);
  namespace = await createNamespace(kube, uniqueNamespaceName('bench-node'));
  node = new BenchNode(kube, namespace, log);
});

after(async () => {
  if (!kube) return;
  await deletePodsNow(kube, namespace).catch(() => undefined);
  await node?.remove();
  await deleteNamespaces(kube, [namespace]);
});

test('the benchmark Node takes build Pods like a kubelet-served one, and leaves nothing behind', async () => {
  await node.register();
  const registered = await kube.core.readNode({ name: node.name });
  assert.ok(schedulable(registered), JSON.stringify(registered.spec));
  assert.equal(registered.metadata?.labels?.[BENCH_RUN_LABEL], namespace);

  // Pods need the namespace's default ServiceAccount, which the controller manager adds a moment after the namespace.
  await waitFor('the default ServiceAccount', () => kube.core.readNamespacedServiceAccount({ namespace, name: 'default' }).then(() => true), 60_000, 100);
  const [key, value] = node.nodeSelector.split('=') as [string, string];
  const body: V1Pod = {
    metadata: { name: 'selects-the-bench-node' },
    spec: { automountServiceAccountToken: false, nodeSelector: { [key]: value }, containers: [{ name: 'c', image: 'registry.invalid/never-pulled:1' }] },
  };
  await kube.core.createNamespacedPod({ namespace, body });
  const bound = await waitFor('the scheduler to bind the Pod', async () => {
    const pod = await kube.core.readNamespacedPod({ namespace, name: 'selects-the-bench-node' });
    return pod.spec?.nodeName ? pod : undefined;
  }, 60_000, 100);
  assert.equal(bound.spec?.nodeName, node.name);
  assert.equal(bound.status?.conditions?.find((condition) => condition.type === 'PodScheduled')?.status, 'True');

  const leases = kube.kubeConfig.makeApiClient(CoordinationV1Api);
  const renewTime = async () => Date.parse(String((await leases.readNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, name: node.name })).spec?.renewTime));
  const first = await renewTime();
  await waitFor('the Lease to be renewed', async () => (await renewTime()) > first, 3 * LEASE_RENEW_MS, 500);
  assert.ok(schedulable(await kube.core.readNode({ name: node.name })), 'still Ready and untainted');

  // A bound Pod no kubelet serves would wait forever on a graceful delete; this one goes at once.
  await deletePodsNow(kube, namespace);
  assert.deepEqual((await listPods(kube, namespace)).map((pod) => pod.metadata?.name), []);
  await node.remove();
  assert.ok(await gone(() => kube.core.readNode({ name: node.name })), 'the Node is deleted');
  assert.ok(await gone(() => leases.readNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, name: node.name })), 'the Lease is deleted');
});
