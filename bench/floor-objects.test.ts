import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { LABEL_JOB, type ImageSpecJob } from '../api/types.ts';
import { floorChildren, floorJob, type RevisionSample } from './floor-objects.ts';

const server = { uid: 'u-1', resourceVersion: '42', creationTimestamp: '2025-01-01T00:00:00Z', generation: 1, managedFields: [{ manager: 'x' }] };

function sample(): RevisionSample {
  const job = {
    apiVersion: 'imagespec.dev/v1alpha1',
    kind: 'ImageSpecJob',
    metadata: {
      name: 'spec-1-abcdef123456',
      namespace: 'bench-1',
      ...server,
      labels: { 'imagespec.dev/imagespec': 'spec-1', [LABEL_JOB]: 'spec-1-abcdef123456' },
      ownerReferences: [{ apiVersion: 'imagespec.dev/v1alpha1', kind: 'ImageSpec', name: 'spec-1', uid: 'spec-uid', controller: true }],
    },
    spec: { imageSpecName: 'spec-1', revision: 'abcdef123456'.padEnd(64, '0') },
    status: { phase: 'Pending' },
  } as unknown as ImageSpecJob;
  const owner = [{ apiVersion: 'imagespec.dev/v1alpha1', kind: 'ImageSpecJob', name: 'spec-1-abcdef123456', uid: 'u-1', controller: true }];
  const configMap: V1ConfigMap = {
    metadata: { name: 'spec-1-abcdef123456-context', namespace: 'bench-1', ...server, labels: { [LABEL_JOB]: 'spec-1-abcdef123456' }, ownerReferences: owner } as never,
    immutable: true,
    data: { Dockerfile: 'FROM x' },
  };
  const pod: V1Pod = {
    metadata: { name: 'spec-1-abcdef123456-build', namespace: 'bench-1', ...server, labels: { [LABEL_JOB]: 'spec-1-abcdef123456' }, ownerReferences: owner } as never,
    spec: { nodeName: 'n1', containers: [{ name: 'push', image: 'p' }], volumes: [{ name: 'context', configMap: { name: 'spec-1-abcdef123456-context' } }, { name: 'workspace', emptyDir: {} }] },
    status: { phase: 'Pending' },
  };
  return { job, configMap, pod };
}

test('the job keeps its spec and labels under the new name, without server fields, owner or status', () => {
  const job = floorJob(sample(), 'floor-7', 'bench-floor-1');
  assert.deepEqual(job.metadata, { name: 'floor-7', namespace: 'bench-floor-1', labels: { 'imagespec.dev/imagespec': 'spec-1', [LABEL_JOB]: 'floor-7' } });
  assert.deepEqual(job.spec, sample().job.spec);
  assert.equal((job as { status?: unknown }).status, undefined);
});

test('the ConfigMap and the Pod are owned by the new job and point at each other by the new names', () => {
  const original = sample();
  const created = { ...floorJob(original, 'floor-7', 'bench-floor-1') };
  created.metadata = { ...created.metadata, uid: 'new-uid' };
  const { configMap, pod } = floorChildren(original, created);
  assert.equal(configMap.metadata?.name, 'floor-7-context');
  assert.equal(configMap.metadata?.namespace, 'bench-floor-1');
  assert.equal(configMap.immutable, true);
  assert.deepEqual(configMap.data, { Dockerfile: 'FROM x' });
  assert.equal(pod.metadata?.name, 'floor-7-build');
  for (const metadata of [configMap.metadata, pod.metadata]) {
    assert.deepEqual(metadata?.ownerReferences?.map((ref) => [ref.kind, ref.name, ref.uid]), [['ImageSpecJob', 'floor-7', 'new-uid']]);
    assert.equal(metadata?.labels?.[LABEL_JOB], 'floor-7');
    assert.equal(metadata?.resourceVersion, undefined);
  }
  assert.equal(pod.spec?.nodeName, undefined);
  assert.equal(pod.spec?.volumes?.[0]?.configMap?.name, 'floor-7-context');
  assert.equal(pod.status, undefined);
  assert.equal(original.pod.spec?.volumes?.[0]?.configMap?.name, 'spec-1-abcdef123456-context', 'the sample is not changed');
});
