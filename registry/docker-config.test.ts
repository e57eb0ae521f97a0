import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialsFromDockerConfig } from './docker-config.ts';

const auth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

test('the entry for the registry, from auth or from username and password', () => {
  assert.deepEqual(credentialsFromDockerConfig(JSON.stringify({ auths: { '127.0.0.1:5002': { auth: auth('robot', 'pa:ss') } } }), '127.0.0.1:5002'), {
    ok: true,
    credentials: { username: 'robot', password: 'pa:ss' },
  });
  assert.deepEqual(credentialsFromDockerConfig(JSON.stringify({ auths: { 'https://registry.example.com/v2/': { username: 'u', password: 'p' } } }), 'registry.example.com'), {
    ok: true,
    credentials: { username: 'u', password: 'p' },
  });
  assert.deepEqual(credentialsFromDockerConfig(JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: auth('u', 'p') } } }), 'docker.io'), {
    ok: true,
    credentials: { username: 'u', password: 'p' },
  });
});

test('another registry\'s entry, a port that differs, or a broken file is refused without quoting it', () => {
  const secretish = 'hunter2-do-not-echo';
  const cases: Array<[string, RegExp]> = [
    [JSON.stringify({ auths: { '127.0.0.1:5003': { auth: auth('u', secretish) } } }), /no entry for the registry 127\.0\.0\.1:5002/],
    [JSON.stringify({ auths: { '127.0.0.1': { auth: auth('u', secretish) } } }), /no entry/],
    [JSON.stringify({ auths: { '127.0.0.1:5002': { auth: Buffer.from(secretish).toString('base64') } } }), /not base64 of user:password/],
    [JSON.stringify({ auths: { '127.0.0.1:5002': { username: secretish } } }), /neither "auth" nor "username" and "password"/],
    [JSON.stringify({ credsStore: 'desktop' }), /no "auths" map/],
    [`{"auths": ${secretish}`, /not JSON/],
  ];
  for (const [json, message] of cases) {
    const answer = credentialsFromDockerConfig(json, '127.0.0.1:5002');
    assert.ok(!answer.ok);
    assert.match(answer.error, message);
    assert.ok(!answer.error.includes(secretish));
  }
});
