import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './parse.ts';

const defaults = { logFormat: 'text' as const };

test('the HTTP port defaults to 8080 without a port file', () => {
  const result = parseConfig({}, defaults);
  assert.ok(result.ok);
  assert.deepEqual(result.config.http, { port: 8080, portFile: undefined });
});

test('port 0 with a port file is accepted for hostNetwork Pods', () => {
  const result = parseConfig({ IMAGESPEC_HTTP_PORT: '0', IMAGESPEC_HTTP_PORT_FILE: '/run/imagespec/http-port' }, defaults);
  assert.ok(result.ok);
  assert.deepEqual(result.config.http, { port: 0, portFile: '/run/imagespec/http-port' });
});

test('a port out of range or a relative port file is refused by name', () => {
  const result = parseConfig({ IMAGESPEC_HTTP_PORT: '65536', IMAGESPEC_HTTP_PORT_FILE: 'run/port' }, defaults);
  assert.equal(result.ok, false);
  const errors = result.ok ? [] : result.errors;
  assert.ok(errors.some((e) => e.startsWith('IMAGESPEC_HTTP_PORT:')), JSON.stringify(errors));
  assert.ok(errors.some((e) => e.startsWith('IMAGESPEC_HTTP_PORT_FILE:')), JSON.stringify(errors));
});
