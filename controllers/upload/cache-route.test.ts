import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheRepositoryAtEndpoint, errorDocument, locationAtEndpoint, parseCacheRequest, upstreamCacheRepository, upstreamContentType, upstreamSearch } from './cache-route.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

test('the cache of a namespace: build_cache under the namespace, at the endpoint and in the registry', () => {
  assert.equal(cacheRepositoryAtEndpoint('team-a'), 'team-a/build_cache');
  assert.deepEqual(upstreamCacheRepository('127.0.0.1:5000/imagespec', 'team-a'), { registry: '127.0.0.1:5000', repository: 'imagespec/team-a/build_cache' });
  assert.deepEqual(upstreamCacheRepository('registry.example.com', 'team-a'), { registry: 'registry.example.com', repository: 'team-a/build_cache' });
  assert.deepEqual(upstreamCacheRepository('registry.example.com/a/b/', 'x'), { registry: 'registry.example.com', repository: 'a/b/x/build_cache' });
});

test('the distribution API calls a cache push and pull need, and only those', () => {
  assert.deepEqual(parseCacheRequest('GET', '/v2/'), { kind: 'ping' });
  assert.deepEqual(parseCacheRequest('GET', '/v2'), { kind: 'ping' });
  const allowed: [string, string][] = [
    ['GET', 'manifests/0123abcd'],
    ['HEAD', 'manifests/0123abcd'],
    ['PUT', 'manifests/0123abcd'],
    ['GET', `manifests/${DIGEST}`],
    ['GET', `blobs/${DIGEST}`],
    ['HEAD', `blobs/${DIGEST}`],
    ['POST', 'blobs/uploads/'],
    ['PATCH', 'blobs/uploads/5e2c-uuid'],
    ['PUT', 'blobs/uploads/5e2c-uuid'],
    ['GET', 'blobs/uploads/5e2c-uuid'],
  ];
  for (const [method, rest] of allowed) {
    assert.deepEqual(parseCacheRequest(method, `/v2/team-a/build_cache/${rest}`), { kind: 'repository', namespace: 'team-a', rest }, `${method} ${rest}`);
  }
  const refused: [string, string, number][] = [
    ['DELETE', `/v2/team-a/build_cache/manifests/${DIGEST}`, 405],
    ['DELETE', '/v2/team-a/build_cache/blobs/uploads/5e2c', 405],
    ['PUT', `/v2/team-a/build_cache/blobs/${DIGEST}`, 405],
    ['GET', '/v2/_catalog', 404],
    ['GET', '/v2/team-a/build_cache/tags/list', 404],
    ['GET', '/v2/team-a/web/manifests/latest', 404],
    ['GET', '/v2/team-a/build_cache/../web/manifests/latest', 404],
    ['GET', '/v2/Team/build_cache/manifests/x', 404],
    ['POST', '/v2/', 405],
  ];
  for (const [method, path, status] of refused) {
    const parsed = parseCacheRequest(method, path);
    assert.equal(parsed?.kind, 'refused', `${method} ${path}`);
    assert.equal(parsed?.kind === 'refused' ? parsed.refusal.status : 0, status, `${method} ${path}`);
  }
  assert.equal(parseCacheRequest('GET', '/v1/namespaces/a/imagespecjobs/b/context'), undefined);
  assert.equal(parseCacheRequest('GET', '/v2x'), undefined);
});

test('only an upload session\'s own parameters go on: never a mount, never a parameter of a POST or a read; a ";" refuses', () => {
  const session = 'blobs/uploads/5e2c-uuid';
  assert.equal(upstreamSearch(session, ''), '');
  assert.equal(upstreamSearch(session, '?_state=a%2Bb%3D&digest=sha256%3Aab'), '?_state=a%2Bb%3D&digest=sha256%3Aab');
  assert.equal(upstreamSearch(session, `?mount=${DIGEST}&from=team-b%2Fbuild_cache&_state=s`), '?_state=s');
  assert.equal(upstreamSearch(session, '?%zz=1&digest=x'), '?digest=x');
  assert.equal(upstreamSearch('blobs/uploads/', `?mount=${DIGEST}&from=team-b%2Fweb`), '');
  assert.equal(upstreamSearch('blobs/uploads/', `?digest=${DIGEST}`), '');
  assert.equal(upstreamSearch(`blobs/${DIGEST}`, '?x=1'), '');
  assert.equal(upstreamSearch(session, '?x=1;mount=a;from=b'), undefined);
});

test('an upload\'s body is raw bytes whatever the caller says: a form body would be read as parameters', () => {
  assert.equal(upstreamContentType('blobs/uploads/', 'application/x-www-form-urlencoded'), 'application/octet-stream');
  assert.equal(upstreamContentType('blobs/uploads/5e2c', 'multipart/form-data; boundary=x'), 'application/octet-stream');
  assert.equal(upstreamContentType('manifests/0123', 'application/vnd.oci.image.manifest.v1+json'), 'application/vnd.oci.image.manifest.v1+json');
  assert.equal(upstreamContentType(`blobs/${DIGEST}`, 'text/plain'), undefined);
});

test('a Location in the cache repository becomes the endpoint\'s path; only a blob read may go to a blob store elsewhere', () => {
  const base = new URL('http://127.0.0.1:5000/');
  const upstream = 'imagespec/team-a/build_cache';
  assert.equal(
    locationAtEndpoint('/v2/imagespec/team-a/build_cache/blobs/uploads/5e2c?_state=xyz', base, upstream, 'team-a/build_cache', false),
    '/v2/team-a/build_cache/blobs/uploads/5e2c?_state=xyz',
  );
  assert.equal(
    locationAtEndpoint('https://127.0.0.1:5443/v2/imagespec/team-a/build_cache/blobs/uploads/5e2c', base, upstream, 'team-a/build_cache', false),
    '/v2/team-a/build_cache/blobs/uploads/5e2c',
  );
  assert.equal(locationAtEndpoint('https://s3.example.com/bucket/blob?sig=1', base, upstream, 'team-a/build_cache', true), 'https://s3.example.com/bucket/blob?sig=1');
  assert.equal(locationAtEndpoint('https://s3.example.com/bucket/blob?sig=1', base, upstream, 'team-a/build_cache', false), undefined);
  assert.equal(locationAtEndpoint('file:///etc/passwd', base, upstream, 'team-a/build_cache', true), undefined);
  assert.equal(locationAtEndpoint('/v2/imagespec/team-b/build_cache/blobs/uploads/1', base, upstream, 'team-a/build_cache', false), undefined);
});

test('refusals are registry error documents', () => {
  assert.deepEqual(JSON.parse(errorDocument({ status: 403, code: 'DENIED', message: 'no' })), { errors: [{ code: 'DENIED', message: 'no' }] });
});
