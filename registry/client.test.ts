// The client's requests are exercised against a real registry in push-layout.test.ts; here, the
// upload location cases that registry does not produce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadUrl } from './client.ts';

const base = new URL('https://registry.test:5000/');
const digest = `sha256:${'a'.repeat(64)}`;

test('a relative Location is resolved against the registry, and the digest added', () => {
  assert.equal(uploadUrl('/v2/team/web/blobs/uploads/1234', base, digest).href, `https://registry.test:5000/v2/team/web/blobs/uploads/1234?digest=sha256%3A${'a'.repeat(64)}`);
});

test("the Location's own query is kept byte for byte", () => {
  const location = 'https://other.test/v2/team/web/blobs/uploads/1234?_state=ab+c%2Fd%3D%3D&x=1';
  assert.equal(uploadUrl(location, base, digest).href, `${location}&digest=sha256%3A${'a'.repeat(64)}`);
});
