import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTargetImage, parseTargetImage } from './target-image.ts';

test('the first component is the registry, the rest up to the tag the repository', () => {
  assert.deepEqual(parseTargetImage('127.0.0.1:5000/team-a/web:0123456789ab'), { registry: '127.0.0.1:5000', repository: 'team-a/web', tag: '0123456789ab' });
  assert.deepEqual(parseTargetImage('registry.example.com/web:v1.2'), { registry: 'registry.example.com', repository: 'web', tag: 'v1.2' });
  assert.deepEqual(parseTargetImage('localhost/a/b/c:t'), { registry: 'localhost', repository: 'a/b/c', tag: 't' });
  assert.equal(formatTargetImage(parseTargetImage('127.0.0.1:5000/team-a/web:0123456789ab')), '127.0.0.1:5000/team-a/web:0123456789ab');
});

test('references without a registry, without a tag, with a digest or malformed are refused', () => {
  for (const reference of ['web:v1', '127.0.0.1:5000/team-a/web', 'host:5000/web@sha256:' + 'a'.repeat(64), 'host:5000/web:v1@sha256:' + 'a'.repeat(64), 'host/UPPER:v1', 'host/web:', '', 'host:5000/:t']) {
    assert.throws(() => parseTargetImage(reference), /is not of the form host\[:port\]\/path:tag/, reference);
  }
});
