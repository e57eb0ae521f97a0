import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseUploadPath, uploadBaseUrl, uploadPath, uploadUrl } from './route.ts';

test('the upload path names the namespace and the job, and parses back', () => {
  const route = { namespace: 'team-a', name: 'web-0123456789ab' };
  assert.equal(uploadPath(route), '/v1/namespaces/team-a/imagespecjobs/web-0123456789ab/image');
  assert.deepEqual(parseUploadPath(uploadPath(route)), route);
  assert.equal(uploadUrl('http://controller.imagespec-system.svc:8081/', route), `http://controller.imagespec-system.svc:8081${uploadPath(route)}`);
});

test('any other path is no upload path', () => {
  for (const path of [
    '/',
    '/v1/namespaces/team-a/imagespecjobs/web/image/',
    '/v1/namespaces/team-a/imagespecjobs/web',
    '/v1/namespaces/Team-A/imagespecjobs/web/image',
    '/v1/namespaces/team-a/imagespecjobs/../image',
    '/v1/namespaces/team-a/imagespecjobs/web%2Fx/image',
    '/v1/namespaces//imagespecjobs/web/image',
  ]) {
    assert.equal(parseUploadPath(path), undefined, path);
  }
});

test('without a configured URL, build Pods reach the upload port on loopback', () => {
  assert.equal(uploadBaseUrl(undefined, 40123), 'http://127.0.0.1:40123');
  assert.equal(uploadBaseUrl('http://up.imagespec-system.svc:8081', 40123), 'http://up.imagespec-system.svc:8081');
});
