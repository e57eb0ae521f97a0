import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { LABEL_JOB, type ImageSpecJob } from '../api/types.ts';
import { floorJob, floorPod, type RevisionSample } from './floor-objects.ts';

const CONTEXT = { 'imagespec.dev/revision': 'abcdef123456'.padEnd(64, '0'), 'context.imagespec.dev/Dockerfile': 'FROM x\n' };
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
  const pod: V1Pod = {
    metadata: {
      name: 'spec-1-abcdef123456-build',
      namespace: 'bench-1',
      ...server,
      labels: { [LABEL_JOB]: 'spec-1-abcdef123456' },
      annotations: CONTEXT,
      ownerReferences: owner,
    } as never,
    spec: {
      nodeName: 'imagespec-bench-1',
      nodeSelector: { 'imagespec.dev/bench-run': 'bench-1' },
      containers: [{ name: 'push', image: 'p' }],
      volumes: [{ name: 'context', downwardAPI: { items: [{ path: 'Dockerfile', fieldRef: { fieldPath: "metadata.annotations['context.imagespec.dev/Dockerfile']" } }] } }],
    },
    status: { phase: 'Pending' },
  };
  return { job, pod };
}

test('the job keeps its spec and labels under the new name, without server fields, owner or status', () => {
  const job = floorJob(sample(), 'floor-7', 'bench-floor-1');
  assert.deepEqual(job.metadata, { name: 'floor-7', namespace: 'bench-floor-1', labels: { 'imagespec.dev/imagespec': 'spec-1', [LABEL_JOB]: 'floor-7' } });
  assert.deepEqual(job.spec, sample().job.spec);
  assert.equal((job as { status?: unknown }).status, undefined);
});

test('the Pod is owned by the new job, carries the same build context and node selector, and is not yet bound', () => {
  const original = sample();
  const created = { ...floorJob(original, 'floor-7', 'bench-floor-1') };
  created.metadata = { ...created.metadata, uid: 'new-uid' };
  const pod = floorPod(original, created);
  assert.equal(pod.metadata?.name, 'floor-7-build');
  assert.equal(pod.metadata?.namespace, 'bench-floor-1');
  assert.deepEqual(pod.metadata?.ownerReferences?.map((ref) => [ref.kind, ref.name, ref.uid]), [['ImageSpecJob', 'floor-7', 'new-uid']]);
  assert.equal(pod.metadata?.labels?.[LABEL_JOB], 'floor-7');
  assert.equal(pod.metadata?.resourceVersion, undefined);
  assert.deepEqual(pod.metadata?.annotations, CONTEXT);
  assert.deepEqual(pod.spec?.nodeSelector, { 'imagespec.dev/bench-run': 'bench-1' });
  assert.deepEqual(pod.spec?.volumes, original.pod.spec?.volumes);
  assert.equal(pod.spec?.nodeName, undefined);
  assert.equal(pod.status, undefined);
  assert.equal(original.pod.spec?.nodeName, 'imagespec-bench-1', 'the sample is not changed');
});
