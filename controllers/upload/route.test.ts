import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextUrl, jobResourcePath, parseJobPath, uploadBaseUrl, uploadUrl } from './route.ts';

test('the upload and context paths name the namespace and the job, and parse back', () => {
  const route = { namespace: 'team-a', name: 'web-0123456789ab' };
  assert.equal(jobResourcePath(route, 'image'), '/v1/namespaces/team-a/imagespecjobs/web-0123456789ab/image');
  assert.deepEqual(parseJobPath(jobResourcePath(route, 'image')), { ...route, resource: 'image' });
  assert.equal(uploadUrl('http://controller.imagespec-system.svc:8081/', route), `http://controller.imagespec-system.svc:8081${jobResourcePath(route, 'image')}`);
  const context = contextUrl('http://controller.imagespec-system.svc:8081', route);
  assert.equal(context, 'http://controller.imagespec-system.svc:8081/v1/namespaces/team-a/imagespecjobs/web-0123456789ab/context');
  assert.deepEqual(parseJobPath(new URL(context).pathname), { ...route, resource: 'context' });
});

test('any other path is no job path', () => {
  for (const path of [
    '/',
    '/v1/namespaces/team-a/imagespecjobs/web/image/',
    '/v1/namespaces/team-a/imagespecjobs/web',
    '/v1/namespaces/team-a/imagespecjobs/web/status',
    '/v1/namespaces/Team-A/imagespecjobs/web/image',
    '/v1/namespaces/team-a/imagespecjobs/../image',
    '/v1/namespaces/team-a/imagespecjobs/web%2Fx/image',
    '/v1/namespaces/team-a/imagespecjobs/web%2Fx/context',
    '/v1/namespaces//imagespecjobs/web/image',
  ]) {
    assert.equal(parseJobPath(path), undefined, path);
  }
});

test('without a configured URL, build Pods reach the upload port on loopback', () => {
  assert.equal(uploadBaseUrl(undefined, 40123), 'http://127.0.0.1:40123');
  assert.equal(uploadBaseUrl('http://up.imagespec-system.svc:8081', 40123), 'http://up.imagespec-system.svc:8081');
});
