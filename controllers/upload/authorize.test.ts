import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { normalizePackages } from '../../api/packages.ts';
import { computeRevision } from '../../api/revision.ts';
import type { ImageSpec, ImageSpecJob } from '../../api/types.ts';
import type { RegistryConfig } from '../../config/types.ts';
import { desiredJob } from '../imagespec/decide.ts';
import { authorizeContext, authorizeUpload, type UploadObservation } from './authorize.ts';

const registry: RegistryConfig = { endpoint: 'registry.test', repoPrefix: 'registry.test/team', insecure: false, username: 'robot', password: 'secret' };
const owner: ImageSpec = { metadata: { name: 'web', namespace: 'team-a', uid: 'uid-web' }, spec: { baseImage: 'debian:bookworm', packages: { apt: ['curl'] } } };

function genuineJob(): ImageSpecJob {
  const job = desiredJob(
    {
      imageSpec: owner,
      problems: [],
      envRefused: [],
      revision: computeRevision(owner.spec),
      packages: normalizePackages(owner.spec.packages),
      registry,
      pullSecretMissing: false,
      jobs: [],
      historySucceeded: 1,
      historyFailed: 1,
      now: '2026-11-24T10:00:00Z',
    },
    registry,
  );
  return { ...job, metadata: { ...job.metadata, uid: 'uid-job' }, status: { phase: 'Building' } };
}

const job = genuineJob();
const podNameOfJob = `${job.metadata.name}-build`;

type PushState = 'running' | 'waiting' | 'terminated';

function buildPod(extra: Partial<V1Pod['metadata']> = {}, push: PushState = 'running', phase = 'Running'): V1Pod {
  const state = { running: { running: {} }, waiting: { waiting: { reason: 'PodInitializing' } }, terminated: { terminated: { exitCode: 0 } } }[push];
  return {
    metadata: {
      name: podNameOfJob,
      namespace: 'team-a',
      uid: 'uid-pod',
      ownerReferences: [{ apiVersion: 'imagespec.dev/v1alpha1', kind: 'ImageSpecJob', name: job.metadata.name!, uid: 'uid-job', controller: true }],
      ...extra,
    },
    status: { phase, containerStatuses: [{ name: 'push', image: 'x', imageID: '', ready: push === 'running', restartCount: 0, state }] },
  };
}

function observe(extra: Partial<UploadObservation> = {}): UploadObservation {
  return {
    route: { namespace: 'team-a', name: job.metadata.name! },
    identity: { authenticated: true, username: 'system:serviceaccount:team-a:default', audiences: ['imagespec-upload'], podName: podNameOfJob, podUid: 'uid-pod' },
    namespaces: [],
    registry,
    outputAllowed: [],
    job,
    owner,
    pod: buildPod(),
    ...extra,
  };
}

function refused(observation: UploadObservation, status: number, message: RegExp): string {
  const decision = authorizeUpload(observation);
  assert.equal(decision.allowed, false);
  assert.equal(!decision.allowed && decision.status, status);
  const text = decision.allowed ? '' : decision.message;
  assert.match(text, message);
  assert.ok(!text.includes('secret'), 'never the password');
  return text;
}

test('the running push step of the job\'s build Pod may upload, to the target the configuration derives', () => {
  const decision = authorizeUpload(observe());
  assert.ok(decision.allowed);
  assert.equal(decision.target.targetImage, job.spec.targetImage);
  assert.match(decision.target.targetImage, /^registry\.test\/team\/team-a\/web:[0-9a-f]{12}$/);
});

test('a token the API server did not accept, or for another audience, is 401', () => {
  refused(observe({ identity: { authenticated: false } }), 401, /did not accept the upload token/);
  refused(observe({ identity: { ...observe().identity, audiences: ['https://kubernetes.default.svc'] } }), 401, /audience imagespec-upload/);
});

test('a token of another namespace, of a user, or not bound to a Pod is 403 whatever the job', () => {
  const identity = observe().identity;
  refused(observe({ identity: { ...identity, username: 'system:serviceaccount:team-b:default' } }), 403, /not a Pod's token from namespace team-a/);
  refused(observe({ identity: { ...identity, username: 'alice' } }), 403, /not a Pod's token/);
  refused(observe({ identity: { ...identity, podUid: undefined, podName: undefined } }), 403, /not a Pod's token/);
  // Another namespace's token learns nothing of whether the job exists.
  refused(observe({ identity: { ...identity, username: 'system:serviceaccount:team-b:default' }, job: undefined }), 403, /not a Pod's token/);
});

test('a Pod of the namespace that is not the job\'s build Pod is 403', () => {
  const identity = observe().identity;
  refused(observe({ identity: { ...identity, podUid: 'uid-tenant-pod', podName: 'my-pod' } }), 403, /belongs to another Pod/);
  // A Pod named like the build Pod but not controlled by the job (made by the tenant after deleting it).
  refused(observe({ pod: buildPod({ ownerReferences: [] }) }), 403, /belongs to another Pod/);
  refused(observe({ pod: undefined }), 403, /belongs to another Pod/);
});

test('a job the controller did not create from an ImageSpec is 403, an unknown one 404', () => {
  const forged = { ...job, spec: { ...job.spec, targetImage: 'registry.test/team/team-b/web:000000000000' } };
  refused(observe({ job: forged }), 403, /is not built by the controller/);
  refused(observe({ owner: undefined }), 403, /is not built by the controller/);
  refused(observe({ job: undefined }), 404, /does not exist/);
  refused(observe({ namespaces: ['team-b'] }), 404, /does not serve namespace team-a/);
});

test('a finished or cancelled job, or a push step no longer running, is 409', () => {
  refused(observe({ job: { ...job, status: { phase: 'Succeeded' } } }), 409, /finished or cancelled/);
  refused(observe({ job: { ...job, metadata: { ...job.metadata, annotations: { 'imagespec.dev/cancel': 'superseded' } } } }), 409, /finished or cancelled/);
  refused(observe({ pod: buildPod({}, 'terminated') }), 409, /push step .* is not running/);
  refused(observe({ pod: buildPod({}, 'running', 'Failed') }), 409, /push step .* is not running/);
});

test('a push step the kubelet has not reported running yet is 503, marked as worth waiting for', () => {
  const decision = authorizeUpload(observe({ pod: buildPod({}, 'waiting', 'Pending') }));
  assert.equal(decision.allowed, false);
  assert.ok(!decision.allowed && decision.status === 503 && decision.pushStepStarting, JSON.stringify(decision));
  const noStatusYet = buildPod();
  delete noStatusYet.status!.containerStatuses;
  assert.ok(!authorizeUpload(observe({ pod: noStatusYet })).allowed);
  const ended = authorizeUpload(observe({ pod: buildPod({}, 'terminated') }));
  assert.ok(!ended.allowed && !ended.pushStepStarting);
});

test('the build context goes to the job\'s own build Pod at any step, and to no other caller', () => {
  for (const pod of [buildPod({}, 'waiting', 'Pending'), buildPod(), buildPod({}, 'terminated')]) {
    const decision = authorizeContext(observe({ pod }));
    assert.ok(decision.allowed, JSON.stringify(decision));
    assert.equal(decision.job, job);
  }
  const identity = observe().identity;
  const refusals: Array<[Partial<UploadObservation>, number, RegExp]> = [
    [{ identity: { authenticated: false } }, 401, /did not accept the upload token/],
    [{ identity: { ...identity, username: 'system:serviceaccount:team-b:default' } }, 403, /may fetch its build context: the token is not a Pod's token from namespace team-a/],
    [{ identity: { ...identity, podUid: 'uid-tenant-pod', podName: 'my-pod' } }, 403, /may fetch its build context: the token belongs to another Pod/],
    [{ job: { ...job, spec: { ...job.spec, targetImage: 'registry.test/team/team-b/web:000000000000' } } }, 403, /is not built by the controller/],
    [{ job: undefined }, 404, /does not exist/],
    [{ job: { ...job, status: { phase: 'Failed' } } }, 409, /finished or cancelled: its build context is no longer given out/],
  ];
  for (const [extra, status, message] of refusals) {
    const decision = authorizeContext(observe(extra));
    assert.ok(!decision.allowed && decision.status === status, JSON.stringify(decision));
    assert.match(decision.message, message);
  }
});
