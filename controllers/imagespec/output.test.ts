import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outputAllowed, outputRefusals, outputTarget } from './output.ts';

const REVISION = '0123456789abcdef'.repeat(4);

test('the tag defaults to the revision; a tag of the user\'s own is kept', () => {
  assert.equal(outputTarget({ image: '127.0.0.1:5002/team/app' }, REVISION), '127.0.0.1:5002/team/app:0123456789ab');
  assert.equal(outputTarget({ image: ' 127.0.0.1:5002/team/app:v1 ' }, REVISION), '127.0.0.1:5002/team/app:v1');
  assert.equal(outputTarget({ image: 'team/app' }, REVISION), 'docker.io/team/app:0123456789ab');
});

test('allowed: a whole registry, or a repository prefix by whole path components', () => {
  assert.ok(outputAllowed({ image: 'registry.example.com/any/thing:v1' }, ['registry.example.com']));
  assert.ok(outputAllowed({ image: '127.0.0.1:5002/team/app' }, ['127.0.0.1:5002/team']));
  assert.ok(outputAllowed({ image: '127.0.0.1:5002/team' }, ['127.0.0.1:5002/team/']));
  assert.ok(!outputAllowed({ image: '127.0.0.1:5002/team-b/app' }, ['127.0.0.1:5002/team']), 'team is not a prefix of team-b');
  assert.ok(!outputAllowed({ image: '127.0.0.1:50021/team/app' }, ['127.0.0.1:5002']), 'the port is part of the registry');
  assert.ok(!outputAllowed({ image: 'evil.example.com/127.0.0.1:5002/team/app' }, ['127.0.0.1:5002']));
  assert.ok(!outputAllowed({ image: 'team/app' }, ['127.0.0.1:5002']), 'a bare name is Docker Hub');
  assert.ok(outputAllowed({ image: 'team/app' }, ['docker.io/team']));
});

test('a refusal names the field, the allowed places and the setting', () => {
  assert.deepEqual(outputRefusals(undefined, []), []);
  const [refused] = outputRefusals({ image: '127.0.0.1:5002/other/app' }, ['127.0.0.1:5002/team', 'registry.example.com']);
  assert.equal(refused?.path, 'spec.output.image');
  assert.equal(refused?.message, '"127.0.0.1:5002/other/app" is outside where this cluster lets an ImageSpec push (the administrator allows 127.0.0.1:5002/team, registry.example.com; IMAGESPEC_OUTPUT_ALLOWED)');
  assert.match(outputRefusals({ image: 'a.example.com/x' }, [])[0]!.message, /the administrator allows none/);
});
