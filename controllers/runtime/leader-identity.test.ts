import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateIdentity, leaseNamespace } from './leader-identity.ts';

const noFile = () => undefined;

test('the Lease namespace: configured, else POD_NAMESPACE, else the service account file, else default', () => {
  assert.equal(leaseNamespace('ops', { POD_NAMESPACE: 'pods' }, () => 'sa'), 'ops');
  assert.equal(leaseNamespace(undefined, { POD_NAMESPACE: 'pods' }, () => 'sa'), 'pods');
  assert.equal(leaseNamespace('', {}, () => 'sa\n'), 'sa');
  assert.equal(leaseNamespace(undefined, { POD_NAMESPACE: ' ' }, noFile), 'default');
});

test('the identity is the Pod name (else the host name) with a suffix', () => {
  assert.equal(candidateIdentity({ POD_NAME: 'imagespec-controller-7d9f-abcde' }, 'node-1', '0a1b2c3d'), 'imagespec-controller-7d9f-abcde_0a1b2c3d');
  assert.equal(candidateIdentity({}, 'laptop', 'ffff0000'), 'laptop_ffff0000');
  assert.notEqual(candidateIdentity({}, 'laptop'), candidateIdentity({}, 'laptop'), 'two processes on one host must differ');
});
