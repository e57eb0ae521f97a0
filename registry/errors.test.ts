import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseErrorBody, redact, RegistryError } from './errors.ts';

test("the first entry of a registry's errors body", () => {
  const body = Buffer.from(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content', detail: {} }, { code: 'OTHER' }] }));
  assert.deepEqual(parseErrorBody(body), { code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' });
  assert.deepEqual(parseErrorBody(Buffer.from('<html>502</html>')), {});
  assert.deepEqual(parseErrorBody(Buffer.from('{"errors":[]}')), {});
  assert.deepEqual(parseErrorBody(Buffer.from('{"errors":[{"code":7}]}')), {});
  assert.deepEqual(parseErrorBody(new Uint8Array(0)), {});
});

test('redact replaces every occurrence of every secret, and ignores empty ones', () => {
  assert.equal(redact('user hunter2 said hunter2 to tok.en', ['hunter2', '', 'tok.en']), 'user [redacted] said [redacted] to [redacted]');
});

test('a RegistryError carries status, code and the registry message', () => {
  const error = new RegistryError('Could not push.', { status: 400, code: 'MANIFEST_INVALID', registryMessage: 'manifest invalid' });
  assert.equal(error.name, 'RegistryError');
  assert.deepEqual([error.status, error.code, error.registryMessage], [400, 'MANIFEST_INVALID', 'manifest invalid']);
  assert.ok(error instanceof Error);
});
