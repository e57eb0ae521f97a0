import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retiredSettings } from './retired.ts';
import { VARIABLES } from './variables.ts';
import { parseConfig } from './parse.ts';

test('a retired setting is reported with what replaced it; an empty one is not', () => {
  const [warning, ...rest] = retiredSettings({ IMAGESPEC_PUSH_SECRET_NAME: 'imagespec-push', IMAGESPEC_WORKERS: '4' });
  assert.equal(rest.length, 0);
  assert.match(warning ?? '', /^IMAGESPEC_PUSH_SECRET_NAME is no longer used and was ignored: the controller pushes every image itself/);
  assert.deepEqual(retiredSettings({ IMAGESPEC_PUSH_SECRET_NAME: '' }), []);
});

test('no retired name is a current setting', () => {
  const current = new Set(VARIABLES.flatMap((v) => [v.name, ...(v.aliases ?? [])]));
  assert.ok(!current.has('IMAGESPEC_PUSH_SECRET_NAME'));
});

test('the configuration carries the warnings, and a retired setting does not stop the start', () => {
  const result = parseConfig({ IMAGESPEC_PUSH_SECRET_NAME: 'imagespec-push' }, { logFormat: 'text' });
  assert.ok(result.ok);
  assert.equal(result.ok && result.config.retired.length, 1);
  const clean = parseConfig({}, { logFormat: 'text' });
  assert.deepEqual(clean.ok && clean.config.retired, []);
});
