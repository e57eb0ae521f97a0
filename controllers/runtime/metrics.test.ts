import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSpecJobStatus } from '../../api/types.ts';
import { Metrics, buildLabels, buildSeconds, finishesBuild } from './metrics.ts';
import { sample } from './metric-sample.ts';

const building: ImageSpecJobStatus = { phase: 'Building', reason: 'Building', podName: 'a-0123-build', startTime: '2026-01-01T10:00:00Z' };
const succeeded: ImageSpecJobStatus = { ...building, phase: 'Succeeded', reason: 'Succeeded', completionTime: '2026-01-01T10:02:30Z' };
const failed: ImageSpecJobStatus = { ...building, phase: 'Failed', reason: 'PipInstallFailed', completionTime: '2026-01-01T10:00:40Z' };

test('a build finishes only on the move into a terminal phase', () => {
  assert.equal(finishesBuild(building, succeeded), true);
  assert.equal(finishesBuild(undefined, failed), true);
  assert.equal(finishesBuild(succeeded, succeeded), false);
  assert.equal(finishesBuild(failed, { ...failed, message: 'edited' }), false);
  assert.equal(finishesBuild({ phase: 'Pending' }, building), false);
});

test('build labels are bounded and durations need both times', () => {
  assert.deepEqual(buildLabels(failed), { result: 'Failed', reason: 'PipInstallFailed' });
  assert.deepEqual(buildLabels({ phase: 'Failed', reason: 'SomethingNew' }), { result: 'Failed', reason: 'Other' });
  assert.deepEqual(buildLabels({ phase: 'Succeeded' }), { result: 'Succeeded', reason: 'Succeeded' });
  assert.equal(buildSeconds(succeeded), 150);
  assert.equal(buildSeconds({ phase: 'Cancelled', completionTime: '2026-01-01T10:00:00Z' }), undefined);
  assert.equal(buildSeconds({ ...succeeded, completionTime: 'garbage' }), undefined);
});

test('a build is counted once per write that finishes it, with its duration', async () => {
  const metrics = new Metrics({ processMetrics: false });
  metrics.buildStatusWritten(building, succeeded);
  metrics.buildStatusWritten(succeeded, succeeded);
  metrics.buildStatusWritten(building, failed);
  metrics.buildStatusWritten({ phase: 'Pending' }, building);
  const builds = (result: string, reason: string) => sample(metrics.registry, 'imagespec_builds_total', { result, reason });
  assert.equal(await builds('Succeeded', 'Succeeded'), 1);
  assert.equal(await builds('Failed', 'PipInstallFailed'), 1);
  assert.equal(await sample(metrics.registry, 'imagespec_build_duration_seconds_sum', { result: 'Succeeded' }), 150);
  assert.equal(await sample(metrics.registry, 'imagespec_build_duration_seconds_count', { result: 'Failed' }), 1);
});

test('propagation runs from the finished Pod seen by the job controller to the ImageSpec write showing it', async () => {
  let now = 0;
  const metrics = new Metrics({ processMetrics: false, clock: () => now });
  const count = () => sample(metrics.registry, 'imagespec_status_propagation_seconds_count');

  metrics.buildStatusDecided('ns/a-0123', building, succeeded, 'Succeeded');
  now += 100;
  metrics.buildStatusDecided('ns/a-0123', building, succeeded, 'Succeeded'); // a retried write keeps the first sighting
  now += 150;
  metrics.imageSpecStatusWritten('ns', { phase: 'Building', jobName: 'a-0123' });
  assert.equal(await count(), 0, 'a status that does not show the outcome yet stops nothing');
  metrics.imageSpecStatusWritten('ns', { phase: 'Succeeded', jobName: 'a-0123' });
  assert.equal(await count(), 1);
  assert.equal(await sample(metrics.registry, 'imagespec_status_propagation_seconds_sum'), 0.25);
  metrics.imageSpecStatusWritten('ns', { phase: 'Succeeded', jobName: 'a-0123' });
  assert.equal(await count(), 1, 'a later write of the same status is not a propagation');

  metrics.buildStatusDecided('ns/b-4567', building, { ...failed, reason: 'BuilderImagePullFailed' }, 'Pending');
  metrics.buildStatusDecided('ns/c-89ab', { phase: 'Pending' }, building, 'Running');
  metrics.buildStatusDecided('ns/d-cdef', building, failed, 'Failed');
  metrics.jobGone('ns/d-cdef');
  for (const job of ['b-4567', 'c-89ab', 'd-cdef']) metrics.imageSpecStatusWritten('ns', { phase: 'Failed', jobName: job });
  assert.equal(await count(), 1, 'only a finished Pod starts it, and a deleted job forgets it');
});

test('the exposition has the controller-runtime names, leader status and process metrics', async () => {
  const metrics = new Metrics();
  metrics.controller('imagespec');
  metrics.workQueue('imagespec');
  metrics.setLeader('imagespec-controller', true);
  const text = await metrics.registry.metrics();
  for (const line of [
    'controller_runtime_reconcile_total{controller="imagespec",result="requeue_after"} 0',
    'controller_runtime_reconcile_errors_total{controller="imagespec"} 0',
    'controller_runtime_active_workers{controller="imagespec"} 0',
    'workqueue_depth{name="imagespec"} 0',
    'leader_election_master_status{name="imagespec-controller"} 1',
  ]) {
    assert.ok(text.includes(`\n${line}\n`), `missing: ${line}`);
  }
  assert.match(text, /^process_cpu_user_seconds_total \d/m);
  assert.match(text, /^# TYPE imagespec_status_propagation_seconds histogram$/m);
  const other = new Metrics({ processMetrics: false });
  assert.ok(!(await other.registry.metrics()).includes('process_cpu'), 'each Metrics has its own registry');
});

test('the client-side rate limit\'s waits are counted when scraped', async () => {
  const metrics = new Metrics({ processMetrics: false });
  const limiter = { throttled: 0, throttledMs: 0 };
  metrics.observeRequestLimiter(() => limiter);
  limiter.throttled = 3;
  limiter.throttledMs = 1500;
  const text = await metrics.registry.metrics();
  assert.match(text, /^rest_client_rate_limited_requests_total 3$/m);
  assert.match(text, /^rest_client_rate_limiter_wait_seconds_total 1\.5$/m);
});
