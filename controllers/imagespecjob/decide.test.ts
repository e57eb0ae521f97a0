import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { decideJob, refusedBuild } from './decide.ts';
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

test('the status written at the Pod\'s creation is the one its arrival in the cache shows: one write for Pending', () => {
  const created = decideJob({ job: job(), now });
  const arrived = decideJob({ job: job(created.status), pod: pod('Pending'), now: '2026-11-23T10:00:05Z' });
  assert.deepEqual(arrived.status, created.status);
  assert.deepEqual(arrived.events, []);
  const unschedulable = pod('Pending', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] } as never);
  assert.notDeepEqual(decideJob({ job: job(created.status), pod: unschedulable, now }).status, created.status, 'a Pod that cannot be scheduled is news');
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
  assert.deepEqual(decision, { createPod: false, deletePod: false, verifyPod: false, lookUpImage: false, status: finished.status, events: [] });
});

test('a Pod missing from the cache is verified before the job fails with PodDeleted', () => {
  const started = job({ phase: 'Building', podName: 'web-0123456789ab-build' });
  assert.equal(decideJob({ job: started, now }).verifyPod, true);
  assert.equal(decideJob({ job: started, now }).createPod, false, 'one revision is one build attempt');
  const gone = decideJob({ job: started, podGone: true, now });
  assert.equal(gone.status.phase, 'Failed');
  assert.equal(gone.status.reason, 'PodDeleted');
});

test('a Pod someone is deleting ends the build PodDeleted at once, unless it already succeeded', () => {
  const started = job({ phase: 'Building', podName: 'web-0123456789ab-build' });
  const deleting = (phase: string, status: object = {}) => {
    const p = pod(phase, status as never);
    return { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-11-23T10:00:00Z' as never } };
  };
  // Its build step stopped by the deletion, as the kubelet reports it: still not a build failure.
  const stopped = { initContainerStatuses: [{ name: 'build', ready: false, restartCount: 0, image: 'b', imageID: '', state: { terminated: { exitCode: 143, reason: 'Error' } } }] };
  for (const observed of [deleting('Running'), deleting('Failed', stopped)]) {
    const decision = decideJob({ job: started, pod: observed, now });
    assert.equal(decision.status.phase, 'Failed');
    assert.equal(decision.status.reason, 'PodDeleted');
    assert.match(decision.status.message ?? '', /was deleted before the build finished; a new revision or spec\.updateTime builds again/);
    assert.equal(decision.deletePod, false);
  }
  const push = { name: 'push', ready: false, restartCount: 0, image: 'p', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed', message: `digest=sha256:${'a'.repeat(64)}` } } };
  assert.equal(decideJob({ job: started, pod: deleting('Succeeded', { containerStatuses: [push] }), now }).status.phase, 'Succeeded');
});

test('a build whose node is not Ready waits, saying until when, then ends NodeLost and deletes its Pod', () => {
  const started = job({ phase: 'Building', podName: 'web-0123456789ab-build' });
  const building = pod('Running', {
    initContainerStatuses: [{ name: 'build', ready: false, restartCount: 0, image: 'b', imageID: '', state: { running: { startedAt: '2026-11-23T09:58:00Z' } } }],
  } as never);
  const away = { name: 'worker-1', ready: false, since: '2026-11-23T09:59:00.000Z', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };

  const waiting = decideJob({ job: started, pod: building, node: away, nodeLostSeconds: 120, now });
  assert.equal(waiting.status.phase, 'Building');
  assert.equal(waiting.deletePod, false);
  assert.match(waiting.status.message ?? '', /^The node worker-1 is not Ready \(NodeStatusUnknown: .*\); the build ends NodeLost unless the node is Ready again by 2026-11-23T10:01:00Z$/);
  assert.ok(waiting.recheckAfterMs! > 60_000 && waiting.recheckAfterMs! <= 61_000, `recheck just after the node is lost: ${waiting.recheckAfterMs}`);
  const later = decideJob({ job: { ...started, status: waiting.status }, pod: building, node: away, nodeLostSeconds: 120, now: '2026-11-23T10:00:30Z' });
  assert.equal(later.status.message, waiting.status.message, 'the message does not count down: no write per recheck');

  const lost = decideJob({ job: { ...started, status: waiting.status }, pod: building, node: away, nodeLostSeconds: 120, now: '2026-11-23T10:01:00Z' });
  assert.equal(lost.status.phase, 'Failed');
  assert.equal(lost.status.reason, 'NodeLost');
  assert.equal(lost.deletePod, true);
  assert.match(lost.status.message ?? '', /has not been Ready for 120 s .*A new revision or spec\.updateTime builds again$/);
  assert.equal(lost.recheckAfterMs, undefined);
  // Written, it stays; the Pod is deleted again if a crash came between the status and the delete.
  assert.equal(decideJob({ job: { ...started, status: lost.status }, pod: building, node: away, nodeLostSeconds: 120, now }).deletePod, true);

  const ready = { ...away, ready: true };
  for (const [observed, seconds] of [[ready, 120], [away, 0], [undefined, 120]] as const) {
    const decision = decideJob({ job: started, pod: building, node: observed, nodeLostSeconds: seconds, now: '2026-11-23T12:00:00Z' });
    assert.equal(decision.status.phase, 'Building', 'a Ready, unknown or unwatched node leaves the build alone');
    assert.equal(decision.recheckAfterMs, undefined);
  }
  const done = pod('Failed', {} as never);
  assert.notEqual(decideJob({ job: started, pod: done, node: away, nodeLostSeconds: 120, now: '2026-11-23T12:00:00Z' }).status.reason, 'NodeLost', 'a finished Pod says how it ended');
});

test('a Pod no node takes ends DeadlineExceeded at the build deadline counted from its creation, and is deleted', () => {
  const pending = job({ phase: 'Pending', podName: 'web-0123456789ab-build' });
  const unscheduled = {
    ...pod('Pending', { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] } as never),
    spec: { containers: [], activeDeadlineSeconds: 600 },
  } as V1Pod;
  unscheduled.metadata!.creationTimestamp = '2026-11-23T09:55:00Z' as unknown as Date;

  const waiting = decideJob({ job: pending, pod: unscheduled, now });
  assert.equal(waiting.status.phase, 'Pending');
  assert.equal(waiting.deletePod, false);
  assert.ok(waiting.recheckAfterMs! > 300_000 && waiting.recheckAfterMs! <= 301_000, `recheck just after the deadline: ${waiting.recheckAfterMs}`);

  const expired = decideJob({ job: { ...pending, status: waiting.status }, pod: unscheduled, now: '2026-11-23T10:05:00Z' });
  assert.equal(expired.status.phase, 'Failed');
  assert.equal(expired.status.reason, 'DeadlineExceeded');
  assert.equal(expired.deletePod, true);
  assert.match(expired.status.message ?? '', /^The build Pod web-0123456789ab-build was not scheduled within the build deadline of 600s \(Unschedulable: 0\/1 nodes are available\); it was deleted/);
  // Written, it stays, and the Pod is deleted again if a crash came between the status and the delete.
  assert.equal(decideJob({ job: { ...pending, status: expired.status }, pod: unscheduled, now: '2026-11-23T10:06:00Z' }).deletePod, true);

  // On a node, the kubelet's activeDeadlineSeconds applies: nothing to do here.
  const placed = { ...unscheduled, spec: { ...unscheduled.spec!, nodeName: 'worker-1' } } as V1Pod;
  const onNode = decideJob({ job: pending, pod: placed, now: '2026-11-23T12:00:00Z' });
  assert.equal(onNode.deletePod, false);
  assert.equal(onNode.recheckAfterMs, undefined);
});

test('a Pod evicted by the taint manager (its node unreachable) ends NodeLost, not PodDeleted', () => {
  const started = job({ phase: 'Building', podName: 'web-0123456789ab-build' });
  const evicted = pod('Running', {
    conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' }],
  } as never);
  const observed = { ...evicted, metadata: { ...evicted.metadata, deletionTimestamp: now as never }, spec: { nodeName: 'worker-2', containers: [] } };
  const decision = decideJob({ job: started, pod: observed, now });
  assert.equal(decision.status.reason, 'NodeLost');
  assert.match(decision.status.message ?? '', /was evicted because node worker-2 stopped being Ready \(Taint manager: deleting due to NoExecute taint\)/);
  assert.equal(decision.deletePod, false, 'already being deleted');
});

// Events: each transition tells its event once; a reconcile that changes nothing tells nothing.

/** Decides on `observed`, then again on the status just written: the second must tell nothing. */
function eventsOnce(observed: ImageSpecJob, podNow?: V1Pod) {
  const first = decideJob({ job: observed, pod: podNow, now });
  const again = decideJob({ job: { ...observed, status: first.status }, pod: podNow, now: '2026-11-23T11:00:00Z' });
  assert.deepEqual(again.events, [], 'a no-op reconcile records nothing');
  return first;
}

test('creating the Pod tells PodCreated once', () => {
  assert.deepEqual(eventsOnce(job()).events, [{ type: 'Normal', reason: 'PodCreated', action: 'CreatePod', note: 'Created build Pod web-0123456789ab-build' }]);
  const stillWaiting = eventsOnce(job({ phase: 'Pending', podName: 'web-0123456789ab-build', message: 'Created build Pod web-0123456789ab-build' }), pod('Pending'));
  assert.deepEqual(stillWaiting.events, [], 'a Pod still pending is no news');
});

test('Building, Succeeded, a failure and a cancellation are each told once', () => {
  const started = { phase: 'Pending' as const, podName: 'web-0123456789ab-build' };
  const building = eventsOnce(job(started), pod('Running', { initContainerStatuses: [{ name: 'build', ready: false, restartCount: 0, image: 'b', imageID: '', state: { running: {} } }] } as never));
  assert.deepEqual(building.events.map((e) => [e.type, e.reason]), [['Normal', 'Building']]);
  assert.match(building.events[0]!.note, /registry\.test\/team\/web:0123456789ab in Pod web-0123456789ab-build/);

  const push = { name: 'push', ready: false, restartCount: 0, image: 'skopeo', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed', message: `digest=sha256:${'a'.repeat(64)}` } } };
  const succeeded = eventsOnce(job({ phase: 'Building', podName: started.podName }), pod('Succeeded', { containerStatuses: [push] } as never));
  assert.deepEqual(succeeded.events, [{ type: 'Normal', reason: 'Succeeded', action: 'Build', note: `Built registry.test/team/web:0123456789ab@sha256:${'a'.repeat(64)}` }]);

  const gone = decideJob({ job: job({ phase: 'Building', podName: started.podName }), podGone: true, now });
  assert.deepEqual(gone.events.map((e) => [e.type, e.reason]), [['Warning', 'PodDeleted']]);
  assert.equal(decideJob({ job: job(gone.status), now }).events.length, 0, 'a finished job tells nothing more');

  const cancelled = eventsOnce(job({ phase: 'Building', podName: started.podName }, { [ANNOTATION_CANCEL]: 'Superseded by revision fedcba987654\nmore' }), pod('Running'));
  assert.deepEqual(cancelled.events, [{ type: 'Normal', reason: 'Cancelled', action: 'Build', note: 'Superseded by revision fedcba987654' }]);
});

test('a build the API server refused is a Warning instead of PodCreated', () => {
  const refused = refusedBuild(job(), 'The API server refused the build objects: spec.volumes[0]: Invalid', now);
  assert.equal(refused.status.phase, 'Failed');
  assert.deepEqual(refused.events.map((e) => [e.type, e.reason]), [['Warning', 'BuildFailed']]);
});

test('a refused job is Failed with the refusal, creates nothing and tells a Warning', () => {
  const refusal = { reason: 'NotControlled' as const, message: 'This ImageSpecJob was not created by the controller from an ImageSpec: it has no controller ownerReference to an ImageSpec. Nothing was built.' };
  for (const observed of [{ job: job() }, { job: job(undefined, { [ANNOTATION_CANCEL]: 'Superseded' }) }, { job: job({ phase: 'Pending', podName: 'web-0123456789ab-build' }), pod: pod('Running') }]) {
    const decision = decideJob({ ...observed, refusal, now });
    assert.deepEqual([decision.createPod, decision.deletePod, decision.verifyPod], [false, false, false]);
    assert.equal(decision.status.phase, 'Failed');
    assert.equal(decision.status.reason, 'NotControlled');
    assert.equal(decision.status.message, refusal.message);
    assert.equal(decision.status.completionTime, now);
    assert.deepEqual(decision.status.conditions?.map((c) => [c.type, c.status, c.reason]), [['Succeeded', 'False', 'NotControlled']]);
    assert.deepEqual(decision.events.map((e) => [e.type, e.reason]), [['Warning', 'NotControlled']]);
  }
});

test('a finished job keeps its status whatever the trust check says now (history stays as it was)', () => {
  const refusal = { reason: 'NotControlled' as const, message: 'configuration changed' };
  const done = job({ phase: 'Succeeded', podName: 'web-0123456789ab-build', image: 'registry.test/team/web:0123456789ab', digest: 'sha256:abc' });
  const decision = decideJob({ job: done, refusal, now });
  assert.deepEqual(decision.status, done.status);
  assert.deepEqual(decision.events, []);
});

test('a new job asks the registry first when it may, and builds when the image is not there', () => {
  const ask = decideJob({ job: job(), now, lookUpExisting: true });
  assert.deepEqual([ask.lookUpImage, ask.createPod, ask.status], [true, false, {}], 'nothing is written before the answer');
  const absent = decideJob({ job: job(), now, lookUpExisting: true, existingDigest: null });
  assert.deepEqual([absent.lookUpImage, absent.createPod, absent.status.phase], [false, true, 'Pending']);
  assert.deepEqual(absent, decideJob({ job: job(), now }), 'as without the lookup');
});

test('an image already in the registry ends the job Succeeded with its digest and no Pod', () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  const decision = decideJob({ job: job(), now, lookUpExisting: true, existingDigest: digest });
  assert.equal(decision.createPod, false);
  assert.equal(decision.lookUpImage, false);
  const { conditions, ...status } = decision.status;
  assert.deepEqual(status, {
    phase: 'Succeeded',
    reason: 'AlreadyBuilt',
    message: `The registry already has registry.test/team/web:0123456789ab@${digest}, this revision's image: nothing was built (spec.updateTime builds it again)`,
    image: 'registry.test/team/web:0123456789ab',
    digest,
    completionTime: now,
  });
  assert.deepEqual(conditions?.map((c) => [c.type, c.status, c.reason]), [['Succeeded', 'True', 'AlreadyBuilt']]);
  const again = decideJob({ job: job(decision.status), now: '2026-11-23T10:00:09Z', lookUpExisting: true });
  assert.deepEqual([again.lookUpImage, again.status], [false, decision.status], 'a finished job is never looked up again');
});

test('a job whose Pod exists is not looked up', () => {
  const decision = decideJob({ job: job({ phase: 'Pending', podName: 'web-0123456789ab-build' }), pod: pod('Pending'), now, lookUpExisting: true });
  assert.equal(decision.lookUpImage, false);
});
