import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { decideJob } from './decide.ts';
import { ANNOTATION_CANCEL, type ImageSpecJob } from '../../api/types.ts';

const now = '2026-11-23T10:00:00Z';

function job(status?: ImageSpecJob['status'], annotations?: Record<string, string>): ImageSpecJob {
  return {
    metadata: { name: 'web-0123456789ab', namespace: 'ns', uid: 'job-uid', ...(annotations ? { annotations } : {}) },
    spec: {
      imageSpecName: 'web',
      revision: '0123456789ab'.padEnd(64, '0'),
      baseImage: 'debian:bookworm',
      packages: { apt: ['curl'], pip: [], conda: [] },
      targetImage: 'registry.test/team/web:0123456789ab',
      pushSecret: 'imagespec-push',
    },
    ...(status ? { status } : {}),
  };
}

function pod(phase: string, extra: Partial<NonNullable<V1Pod['status']>> = {}): V1Pod {
  return {
    metadata: { name: 'web-0123456789ab-build', namespace: 'ns' },
    status: { phase, ...extra },
  } as V1Pod;
}

test('a new job creates its Pod and records its name', () => {
  const decision = decideJob({ job: job(), now });
  assert.equal(decision.createPod, true);
  assert.equal(decision.status.phase, 'Pending');
  assert.equal(decision.status.podName, 'web-0123456789ab-build');
  assert.equal(decision.status.conditions?.[0]?.type, 'Succeeded');
  assert.equal(decision.status.conditions?.[0]?.status, 'Unknown');
});

test('a running Pod makes the job Building', () => {
  const decision = decideJob({ job: job({ phase: 'Pending', podName: 'web-0123456789ab-build' }), pod: pod('Running', {
      startTime: '2026-11-23T09:59:00Z',
      initContainerStatuses: [{ name: 'build', ready: false, restartCount: 0, image: 'buildah', imageID: '', state: { running: { startedAt: '2026-11-23T09:59:01Z' } } }],
    } as never),
    now,
  });
  assert.equal(decision.createPod, false);
  assert.equal(decision.status.phase, 'Building');
  assert.equal(decision.status.startTime, '2026-11-23T09:59:00Z');
});

test('a succeeded Pod gives the image and the digest from the push step', () => {
  const succeeded = pod('Succeeded', {
    containerStatuses: [
      {
        name: 'push',
        ready: false,
        restartCount: 0,
        image: 'skopeo',
        imageID: '',
        state: { terminated: { exitCode: 0, reason: 'Completed', message: 'digest=sha256:' + 'a'.repeat(64), finishedAt: '2026-11-23T10:00:00Z' as never } },
      },
    ],
  });
  const decision = decideJob({ job: job({ phase: 'Building', podName: 'web-0123456789ab-build' }), pod: succeeded, now });
  assert.equal(decision.status.phase, 'Succeeded');
  assert.equal(decision.status.image, 'registry.test/team/web:0123456789ab');
  assert.equal(decision.status.digest, 'sha256:' + 'a'.repeat(64));
  assert.equal(decision.status.conditions?.[0]?.status, 'True');
});

test('a cancel request deletes the Pod and ends Cancelled with the reason', () => {
  const decision = decideJob({
    job: job({ phase: 'Building', podName: 'web-0123456789ab-build' }, { [ANNOTATION_CANCEL]: 'Superseded by revision fedcba987654' }),
    pod: pod('Running'),
    now,
  });
  assert.equal(decision.deletePod, true);
  assert.equal(decision.status.phase, 'Cancelled');
  assert.equal(decision.status.reason, 'Superseded');
  assert.match(decision.status.message ?? '', /fedcba987654/);
  assert.equal(decision.status.conditions?.[0]?.status, 'False');
});

test('a finished job keeps its status and creates nothing', () => {
  const finished = job({ phase: 'Failed', reason: 'AptInstallFailed', message: 'x', podName: 'p' });
  const decision = decideJob({ job: finished, now });
  assert.deepEqual(decision, { createPod: false, deletePod: false, verifyPod: false, status: finished.status });
});

test('a Pod missing from the cache is verified before the job fails with PodDeleted', () => {
  const started = job({ phase: 'Building', podName: 'web-0123456789ab-build' });
  assert.equal(decideJob({ job: started, now }).verifyPod, true);
  assert.equal(decideJob({ job: started, now }).createPod, false, 'one revision is one build attempt');
  const gone = decideJob({ job: started, podGone: true, now });
  assert.equal(gone.status.phase, 'Failed');
  assert.equal(gone.status.reason, 'PodDeleted');
});
