import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { computeRevision } from '../../api/revision.ts';
import type { ImageSpec, ImageSpecJob } from '../../api/types.ts';
import { convergenceProblems, type NamespaceObjects } from './convergence.ts';

const spec: ImageSpec = {
  metadata: { name: 'web', uid: 'spec-uid', generation: 2 },
  spec: { baseImage: 'debian:bookworm', packages: { apt: ['curl'] } },
};
const revision = computeRevision(spec.spec);
const owner = (kind: string, name: string, uid: string) => [{ apiVersion: 'imagespec.dev/v1alpha1', kind, name, uid, controller: true }];

function job(name: string, rev: string, phase: string, uid = `${name}-uid`): ImageSpecJob {
  return {
    metadata: { name, uid, ownerReferences: owner('ImageSpec', 'web', 'spec-uid') },
    spec: { imageSpecName: 'web', revision: rev, baseImage: 'debian:bookworm', packages: { apt: ['curl'], conda: [], pip: [] }, targetImage: 'r/x:y' },
    status: { phase: phase as never },
  };
}

function converged(): NamespaceObjects {
  const current = job('web-new', revision, 'Building');
  const pod: V1Pod = { metadata: { name: 'web-new-build', ownerReferences: owner('ImageSpecJob', 'web-new', 'web-new-uid') } };
  return {
    imageSpecs: [{ ...spec, status: { revision, observedGeneration: 2, jobName: 'web-new', phase: 'Building' } }],
    jobs: [current, job('web-old', 'a'.repeat(64), 'Cancelled')],
    pods: [pod],
  };
}

test('a converged namespace has no problems', () => {
  assert.deepEqual(convergenceProblems(converged()), []);
});

test('each way of not being converged is named', () => {
  const objects = converged();
  const stale: NamespaceObjects = {
    ...objects,
    imageSpecs: [{ ...objects.imageSpecs[0]!, status: { ...objects.imageSpecs[0]!.status, revision: 'b'.repeat(64), phase: 'Pending' } }],
    jobs: [objects.jobs[0]!, job('web-old', 'a'.repeat(64), 'Building')],
    pods: [...objects.pods, { metadata: { name: 'orphan-build', ownerReferences: owner('ImageSpecJob', 'gone', 'gone-uid') } }],
  };
  const problems = convergenceProblems(stale).join('\n');
  assert.match(problems, /status\.revision bbbbbbbbbbbb, spec revision/);
  assert.match(problems, /superseded ImageSpecJob web-old is still Building/);
  assert.match(problems, /phase Pending, its job web-new is Building/);
  assert.match(problems, /Pod orphan-build: its ImageSpecJob is gone/);
  assert.match(convergenceProblems({ ...objects, jobs: [] }).join('\n'), /0 ImageSpecJobs for its revision/);
});
