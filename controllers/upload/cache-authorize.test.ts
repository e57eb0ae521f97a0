import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { authorizeCacheCaller, authorizeCacheRepository } from './cache-authorize.ts';
import { cacheToken } from './cache-proxy.ts';

const identity = {
  authenticated: true,
  username: 'system:serviceaccount:team-a:default',
  audiences: ['imagespec-cache'],
  podName: 'web-0123456789ab-build',
  podUid: 'pod-uid',
};

function buildPod(fields: { phase?: string; uid?: string; kind?: string; managedBy?: string; deleting?: boolean } = {}): V1Pod {
  return {
    metadata: {
      name: 'web-0123456789ab-build',
      namespace: 'team-a',
      uid: fields.uid ?? 'pod-uid',
      labels: { 'app.kubernetes.io/managed-by': fields.managedBy ?? 'imagespec-controller' },
      ownerReferences: [{ apiVersion: 'imagespec.dev/v1alpha1', kind: fields.kind ?? 'ImageSpecJob', name: 'web-0123456789ab', uid: 'job-uid', controller: true }],
      ...(fields.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    status: { phase: fields.phase ?? 'Pending' },
  };
}

test('a running build Pod\'s token opens its own namespace\'s cache, and no other', () => {
  const caller = authorizeCacheCaller(identity, buildPod(), []);
  assert.deepEqual(caller, { allowed: true, namespace: 'team-a' });
  assert.deepEqual(authorizeCacheRepository(caller, 'team-a'), caller);
  const other = authorizeCacheRepository(caller, 'team-b');
  assert.equal(other.allowed, false);
  assert.match(other.allowed ? '' : other.refusal.message, /may use only its own namespace's layer cache, not team-b's/);
  assert.equal(authorizeCacheCaller(identity, buildPod({ phase: 'Running' }), ['team-a']).allowed, true);
});

test('refused: another audience, no Pod binding, an unserved namespace, a Pod that is not a build Pod or has finished', () => {
  const refusal = (decision: ReturnType<typeof authorizeCacheCaller>) => (decision.allowed ? undefined : decision.refusal);
  assert.equal(refusal(authorizeCacheCaller({ ...identity, audiences: ['imagespec-upload'] }, buildPod(), []))?.status, 401);
  assert.equal(refusal(authorizeCacheCaller({ ...identity, authenticated: false }, buildPod(), []))?.status, 401);
  const { podUid: _uid, ...unbound } = identity;
  assert.equal(refusal(authorizeCacheCaller(unbound, buildPod(), []))?.status, 403);
  assert.equal(refusal(authorizeCacheCaller({ ...identity, username: 'alice' }, buildPod(), []))?.status, 403);
  assert.match(refusal(authorizeCacheCaller(identity, buildPod(), ['team-b']))?.message ?? '', /does not serve namespace team-a/);
  for (const pod of [undefined, buildPod({ uid: 'other' }), buildPod({ kind: 'Job' }), buildPod({ managedBy: 'someone' })]) {
    assert.match(refusal(authorizeCacheCaller(identity, pod, []))?.message ?? '', /not one of namespace team-a's build Pods/);
  }
  for (const pod of [buildPod({ phase: 'Succeeded' }), buildPod({ phase: 'Failed' }), buildPod({ deleting: true })]) {
    assert.match(refusal(authorizeCacheCaller(identity, pod, []))?.message ?? '', /has finished/);
  }
});

test('the token travels as the password of Basic credentials, as buildah sends them, or as a Bearer token', () => {
  assert.equal(cacheToken(`Basic ${Buffer.from('imagespec-build:tok.en.x').toString('base64')}`), 'tok.en.x');
  assert.equal(cacheToken('Bearer tok.en.y'), 'tok.en.y');
  assert.equal(cacheToken(`Basic ${Buffer.from('no-password:').toString('base64')}`), undefined);
  assert.equal(cacheToken(`Basic ${Buffer.from('nocolon').toString('base64')}`), undefined);
  assert.equal(cacheToken(undefined), undefined);
});
