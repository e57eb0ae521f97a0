import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrometheusText } from './prometheus-text.ts';
import { addWindows, apiserverWriteCounts, diffCounts, otherReportersEventWrites, windowWrites, type WriteSnapshot } from './writes.ts';

function line(verb: string, group: string, resource: string, subresource: string, code: string, value: number): string {
  return `apiserver_request_total{code="${code}",component="apiserver",group="${group}",resource="${resource}",scope="resource",subresource="${subresource}",verb="${verb}",version="v1"} ${value}`;
}

test('write verbs are summed over response codes by verb and resource; reads are ignored', () => {
  const counts = apiserverWriteCounts(
    parsePrometheusText(
      [
        line('POST', 'imagespec.dev', 'imagespecjobs', '', '201', 10),
        line('POST', 'imagespec.dev', 'imagespecjobs', '', '409', 2),
        line('PATCH', '', 'pods', 'status', '200', 5),
        line('LIST', '', 'pods', '', '200', 99),
        line('WATCH', '', 'pods', '', '200', 3),
        line('GET', 'imagespec.dev', 'imagespecs', '', '200', 7),
        'apiserver_request_duration_seconds_count{verb="POST",resource="pods"} 4',
      ].join('\n'),
    ),
  );
  assert.deepEqual(counts, { 'POST imagespec.dev/imagespecjobs': 12, 'PATCH core/pods/status': 5 });
});

test('a diff keeps what changed; a counter that went down counts from zero', () => {
  assert.deepEqual(diffCounts({ a: 5, b: 2, c: 9 }, { a: 8, b: 2, c: 4, d: 1 }), { a: 3, c: 4, d: 1 });
});

test("a window counts the controller's resources only and subtracts other reporters' Events", () => {
  const before: WriteSnapshot = { counts: { 'POST imagespec.dev/imagespecjobs': 100, 'POST events.k8s.io/events': 50 }, otherEventWrites: 40 };
  const after: WriteSnapshot = {
    counts: {
      'POST imagespec.dev/imagespecjobs': 110,
      'PATCH imagespec.dev/imagespecjobs/status': 20,
      'PATCH imagespec.dev/imagespecs/status': 10,
      'POST core/pods': 10,
      'POST core/pods/binding': 10,
      'POST events.k8s.io/events': 75,
      'POST imagespec.dev/imagespecs': 10,
      'PATCH imagespec.dev/imagespecs': 4,
      'PATCH core/pods/status': 30,
      'PATCH coordination.k8s.io/leases': 6,
      'PATCH core/nodes/status': 1,
    },
    otherEventWrites: 50,
  };
  const window = windowWrites(before, after);
  assert.equal(window.otherEventWrites, 10);
  assert.equal(window.controller, 10 + 20 + 10 + 10 + 25 - 10);
  assert.deepEqual(window.excluded, {
    'POST core/pods/binding': 10,
    'POST imagespec.dev/imagespecs': 10,
    'PATCH imagespec.dev/imagespecs': 4,
    'PATCH core/pods/status': 30,
    'PATCH coordination.k8s.io/leases': 6,
    'PATCH core/nodes/status': 1,
  });
});

test("the Event estimate never takes more than the Event writes counted", () => {
  const window = windowWrites({ counts: {}, otherEventWrites: 0 }, { counts: { 'POST core/pods': 3, 'POST events.k8s.io/events': 2 }, otherEventWrites: 9 });
  assert.equal(window.otherEventWrites, 2);
  assert.equal(window.controller, 3);
});

test("other reporters' Events cost a create each and one patch once a series", () => {
  const events = [
    { reportingController: 'imagespec.dev/controller' },
    { reportingController: 'imagespec.dev/controller', series: { count: 3 } },
    { reportingController: 'default-scheduler', reason: 'Scheduled' },
    { reportingController: 'default-scheduler', reason: 'FailedScheduling', series: { count: 2 } },
    {},
  ];
  assert.equal(otherReportersEventWrites(events, 'imagespec.dev/controller'), 1 + 2 + 1);
});

test('windows add up', () => {
  const one = windowWrites({ counts: {}, otherEventWrites: 0 }, { counts: { 'POST core/pods': 2, 'PATCH core/pods/status': 1 }, otherEventWrites: 0 });
  const two = windowWrites({ counts: {}, otherEventWrites: 0 }, { counts: { 'POST core/pods': 3 }, otherEventWrites: 0 });
  const sum = addWindows(one, two);
  assert.equal(sum.controller, 5);
  assert.deepEqual(sum.byResource, { 'POST core/pods': 5 });
  assert.deepEqual(sum.excluded, { 'PATCH core/pods/status': 1 });
});

test("binding build Pods to the benchmark's Node is the scheduler's work, not the controller's", () => {
  // Each build Pod: created by the controller, bound by kube-scheduler, which reports a Scheduled Event.
  const scheduled = [1, 2, 3].map(() => ({ reportingController: 'default-scheduler', reason: 'Scheduled' }));
  const created = [{ reportingController: 'imagespec.dev/controller', reason: 'Created' }];
  const before: WriteSnapshot = { counts: {}, otherEventWrites: 0 };
  const after: WriteSnapshot = {
    counts: { 'POST core/pods': 3, 'POST core/pods/binding': 3, 'POST events.k8s.io/events': 4, 'PATCH coordination.k8s.io/leases': 2 },
    otherEventWrites: otherReportersEventWrites([...scheduled, ...created], 'imagespec.dev/controller'),
  };
  const window = windowWrites(before, after);
  assert.equal(window.controller, 3 + 1);
  assert.deepEqual(window.excluded, { 'POST core/pods/binding': 3, 'PATCH coordination.k8s.io/leases': 2 });
});
