import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { slimNode, slimObject, slimPod, slimToIdentity } from './slim.ts';

const pod = (): V1Pod => ({
  metadata: {
    name: 'p',
    namespace: 'n',
    resourceVersion: '7',
    labels: { app: 'x' },
    annotations: { 'context.example/Dockerfile': 'FROM x', 'keep.example/revision': 'abc' },
    managedFields: [{ manager: 'kubectl', operation: 'Update' }],
    ownerReferences: [{ apiVersion: 'v1', kind: 'Job', name: 'j', uid: 'u', controller: true }],
  },
  spec: {
    nodeName: 'node-1',
    activeDeadlineSeconds: 60,
    volumes: [{ name: 'v', emptyDir: {} }],
    initContainers: [{ name: 'build', image: 'b', command: ['sh'], resources: { limits: { memory: '1Gi' } } }],
    containers: [{ name: 'push', image: 'p', env: [{ name: 'A', value: 'B' }] }],
  },
  status: { phase: 'Running', containerStatuses: [{ name: 'push', image: 'p', imageID: '', ready: true, restartCount: 0 }] },
});

test('slimObject drops managedFields and keeps the rest', () => {
  const slim = slimObject(pod());
  assert.equal(slim.metadata?.managedFields, undefined);
  assert.equal(slim.metadata?.resourceVersion, '7');
  assert.deepEqual(slim.metadata?.labels, { app: 'x' });
});

test('slimPod keeps what the decisions read and drops the build context and the rest of the spec', () => {
  const slim = slimPod(pod(), 'context.example/');
  assert.deepEqual(slim.metadata?.annotations, { 'keep.example/revision': 'abc' });
  assert.equal(slim.metadata?.managedFields, undefined);
  assert.equal(slim.metadata?.ownerReferences?.[0]?.uid, 'u');
  assert.deepEqual(slim.spec, {
    nodeName: 'node-1',
    activeDeadlineSeconds: 60,
    initContainers: [{ name: 'build', resources: { limits: { memory: '1Gi' } } }],
    containers: [{ name: 'push' }],
  });
  assert.deepEqual(slim.status, pod().status);
});

test('slimPod changes the object in place, as the informer stores it', () => {
  const original = pod();
  slimPod(original, 'context.example/');
  assert.equal(original.spec?.volumes, undefined);
  assert.equal(original.metadata?.annotations?.['context.example/Dockerfile'], undefined);
});

test('slimNode keeps the name and the conditions only', () => {
  const node = slimNode({
    metadata: { name: 'node-1', managedFields: [{ manager: 'kubelet' }] },
    spec: { podCIDR: '10.0.0.0/24' },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      images: [{ names: ['registry.example/big:1'], sizeBytes: 1 }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
    },
  });
  assert.deepEqual(node, { metadata: { name: 'node-1' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
});

test('slimToIdentity keeps who an object is, in place, and none of its labels, annotations or data', () => {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'ctx', namespace: 'team', uid: 'u-1', resourceVersion: '7', labels: { a: 'b' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"secret":"x"}}' } },
    data: { Dockerfile: 'FROM scratch\n' },
  };
  const same = slimToIdentity(configMap);
  assert.equal(same, configMap);
  assert.deepEqual(configMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ctx', namespace: 'team', uid: 'u-1', resourceVersion: '7' } });
});
