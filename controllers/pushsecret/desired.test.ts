import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredPushSecret, ANNOTATION_CONTENT_HASH } from './desired.ts';

const registry = { endpoint: '127.0.0.1:5000', username: 'builder', password: 'p@ss:word', insecure: true };

test('the push Secret is a dockerconfigjson with the auth field', () => {
  const secret = desiredPushSecret('team', 'imagespec-push', registry);
  assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
  const config = JSON.parse(Buffer.from(secret.data!['.dockerconfigjson']!, 'base64').toString());
  assert.equal(Buffer.from(config.auths['127.0.0.1:5000'].auth, 'base64').toString(), 'builder:p@ss:word');
  assert.equal(secret.metadata?.namespace, 'team');
});

test('the content hash changes with the password and reveals nothing of it', () => {
  const a = desiredPushSecret('team', 's', registry).metadata!.annotations![ANNOTATION_CONTENT_HASH]!;
  const b = desiredPushSecret('team', 's', { ...registry, password: 'other' }).metadata!.annotations![ANNOTATION_CONTENT_HASH]!;
  assert.notEqual(a, b);
  assert.ok(!a.includes('p@ss'));
  assert.match(a, /^[0-9a-f]{64}$/);
});

test('a registry without a user gets an empty auths map', () => {
  const secret = desiredPushSecret('team', 's', { endpoint: 'r.test', insecure: false });
  assert.deepEqual(JSON.parse(Buffer.from(secret.data!['.dockerconfigjson']!, 'base64').toString()), { auths: {} });
});
