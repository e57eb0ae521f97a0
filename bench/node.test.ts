import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Node } from '@kubernetes/client-node';
import type { ImageSpecJob } from '../api/types.ts';
import { parseConfig } from '../config/parse.ts';
import { buildPod } from '../controllers/imagespecjob/pod.ts';
import { benchControllerEnv } from './controller.ts';
import { LEASE_DURATION_SECONDS, LEASE_RENEW_MS, benchNode, benchNodeLease, benchNodeName, benchNodeSelector, leaseRenewal, schedulable } from './node.ts';

const NOW = new Date('2026-03-04T05:06:07.891Z');
const MICRO = '2026-03-04T05:06:07.891000Z';

test('the Node is named after the process and labelled for the run only', () => {
  const node = benchNode(benchNodeName(4242), 'bench-4242-1', NOW);
  assert.equal(node.metadata?.name, 'imagespec-bench-4242');
  assert.equal(node.metadata?.labels?.['imagespec.dev/bench-run'], 'bench-4242-1');
  assert.equal(benchNodeSelector('bench-4242-1'), 'imagespec.dev/bench-run=bench-4242-1');
});

test('the Node registers Ready, untainted, with room for 100000 build Pods', () => {
  const node = benchNode('imagespec-bench-1', 'run', NOW);
  assert.deepEqual(node.spec, {});
  assert.deepEqual(node.status?.allocatable, node.status?.capacity);
  assert.equal(node.status?.allocatable?.['pods'], '100000');
  for (const resource of ['cpu', 'memory', 'ephemeral-storage']) assert.ok(node.status?.allocatable?.[resource], resource);
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready');
  assert.equal(ready?.status, 'True');
  assert.deepEqual([ready?.lastHeartbeatTime, ready?.lastTransitionTime], [NOW, NOW]);
  assert.equal(schedulable(node), true);
});

test('the Lease is the kubelet\'s: in kube-node-lease, named and held by the Node, owned by it, renewed well within the grace period', () => {
  const lease = benchNodeLease({ name: 'imagespec-bench-1', uid: 'node-uid' }, NOW);
  assert.equal(lease.metadata?.namespace, 'kube-node-lease');
  assert.equal(lease.metadata?.name, 'imagespec-bench-1');
  assert.deepEqual(lease.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'imagespec-bench-1', uid: 'node-uid' }]);
  assert.equal(lease.spec?.holderIdentity, 'imagespec-bench-1');
  assert.equal(lease.spec?.leaseDurationSeconds, 40);
  // kube-controller-manager's node-monitor-grace-period (50 s, the default) must outlast several renewals.
  assert.ok(LEASE_RENEW_MS * 4 <= 50_000 && LEASE_RENEW_MS * 4 <= LEASE_DURATION_SECONDS * 1000);
});

test('renewal times are sent with microseconds, as the API server requires of a MicroTime', () => {
  assert.equal(JSON.stringify(leaseRenewal(NOW)), `{"spec":{"renewTime":"${MICRO}"}}`);
  assert.equal((JSON.parse(JSON.stringify(benchNodeLease({ name: 'n', uid: 'u' }, NOW))) as { spec: { renewTime: string } }).spec.renewTime, MICRO);
});

test('schedulable: Ready, no NoSchedule or NoExecute taint, not cordoned', () => {
  const node = benchNode('n', 'run', NOW);
  const withSpec = (spec: V1Node['spec']): V1Node => ({ ...node, spec });
  assert.equal(schedulable(withSpec({ taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] })), false, 'the taint every new Node gets');
  assert.equal(schedulable(withSpec({ taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] })), false);
  assert.equal(schedulable(withSpec({ taints: [{ key: 'example.com/prefer-not', effect: 'PreferNoSchedule' }] })), true);
  assert.equal(schedulable(withSpec({ unschedulable: true })), false);
  const notReady: V1Node = { ...node, status: { ...node.status, conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  assert.equal(schedulable(notReady), false);
  assert.equal(schedulable(undefined), false);
});

test("the controller's build Pods select the benchmark's Node and no other", () => {
  const env = benchControllerEnv('bench-4242-1', benchNodeSelector('bench-4242-1'));
  assert.equal(env['IMAGESPEC_NAMESPACES'], 'bench-4242-1');
  const parsed = parseConfig(env, { logFormat: 'json' });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const job = {
    apiVersion: 'imagespec.dev/v1alpha1',
    kind: 'ImageSpecJob',
    metadata: { name: 'spec-1-0123456789ab', namespace: 'bench-4242-1', uid: 'job-uid' },
    spec: { imageSpecName: 'spec-1', revision: '0'.repeat(64), baseImage: 'debian:bookworm', packages: { apt: [], conda: [], pip: [] }, targetImage: 'x/y:z' },
  } as ImageSpecJob;
  const selector = buildPod(job, parsed.config, 'http://127.0.0.1:1/v1/namespaces/bench-4242-1/imagespecjobs/spec-1-0123456789ab/context').spec?.nodeSelector ?? {};
  const matches = (labels: Record<string, string> | undefined) => Object.entries(selector).every(([key, value]) => labels?.[key] === value);
  assert.deepEqual(Object.keys(selector), ['imagespec.dev/bench-run']);
  assert.ok(matches(benchNode('imagespec-bench-4242', 'bench-4242-1', NOW).metadata?.labels));
  assert.ok(!matches(benchNode('imagespec-bench-4243', 'bench-4243-1', NOW).metadata?.labels), "another run's Node");
});

test('NODE_OPTIONS reaches the controller only when given', () => {
  assert.equal(benchControllerEnv('ns', 'k=v')['NODE_OPTIONS'], undefined);
  assert.equal(benchControllerEnv('ns', 'k=v', '--max-old-space-size=256')['NODE_OPTIONS'], '--max-old-space-size=256');
});
