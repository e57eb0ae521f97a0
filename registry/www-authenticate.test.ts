import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWwwAuthenticate } from './www-authenticate.ts';

test('a Basic challenge', () => {
  assert.deepEqual(parseWwwAuthenticate('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
});

test('a Bearer challenge with a scope that holds commas inside its quotes', () => {
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="https://auth/token",service="registry",scope="repository:a/b:pull,push"'), [
    { scheme: 'bearer', params: { realm: 'https://auth/token', service: 'registry', scope: 'repository:a/b:pull,push' } },
  ]);
});

test('escapes in quoted strings, spaces around "=" and unquoted values', () => {
  assert.deepEqual(parseWwwAuthenticate('Bearer realm = "a \\"quoted\\" \\\\ realm" , error=insufficient_scope,  service=host:5000'), [
    { scheme: 'bearer', params: { realm: 'a "quoted" \\ realm', error: 'insufficient_scope', service: 'host:5000' } },
  ]);
});

test('several challenges in one value, names case-insensitive', () => {
  assert.deepEqual(parseWwwAuthenticate('BEARER Realm="https://t/x", Basic realm="b", charset="UTF-8"'), [
    { scheme: 'bearer', params: { realm: 'https://t/x' } },
    { scheme: 'basic', params: { realm: 'b', charset: 'UTF-8' } },
  ]);
});

test('a scheme alone, an empty value and garbage do not throw', () => {
  assert.deepEqual(parseWwwAuthenticate('Basic'), [{ scheme: 'basic', params: {} }]);
  assert.deepEqual(parseWwwAuthenticate(''), []);
  assert.deepEqual(parseWwwAuthenticate('Bearer realm="unterminated'), [{ scheme: 'bearer', params: { realm: 'unterminated' } }]);
  assert.deepEqual(parseWwwAuthenticate('"{}" Basic realm=x'), [{ scheme: 'basic', params: { realm: 'x' } }]);
});
