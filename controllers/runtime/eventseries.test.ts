import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventSubject, type ObjectEvent } from './eventbody.ts';
import { EventSeries, type EventSeriesOptions, type EventWrite, type ObserveResult } from './eventseries.ts';

const web = eventSubject('imagespec.dev/v1alpha1', 'ImageSpec', { name: 'web', namespace: 'ns', uid: 'uid-web' });
const api = eventSubject('imagespec.dev/v1alpha1', 'ImageSpec', { name: 'api', namespace: 'ns', uid: 'uid-api' });
const failed: ObjectEvent = { type: 'Warning', reason: 'AptInstallFailed', action: 'Build', note: 'E: Unable to locate package nope' };
const options: EventSeriesOptions = { windowMs: 60_000, seriesIntervalMs: 1000, burst: 5, refillEveryMs: 10_000 };

function setup(overrides: Partial<EventSeriesOptions> = {}) {
  const clock = { now: Date.UTC(2026, 10, 23, 10, 0, 0) };
  const series = new EventSeries('pod-0', () => clock.now, { ...options, ...overrides });
  return { clock, series };
}

function ops(results: ObserveResult[]): string[] {
  return results.map((r) => r.op);
}

function patch(write: EventWrite | ObserveResult | undefined): Extract<EventWrite, { op: 'patch' }> {
  assert.equal(write?.op, 'patch');
  return write as Extract<EventWrite, { op: 'patch' }>;
}

test('the first occurrence creates an Event; repeats within the interval are only counted', () => {
  const { series } = setup();
  const first = series.observe(web, failed);
  assert.equal(first.op, 'create');
  if (first.op !== 'create') return;
  assert.equal(first.body.note, failed.note);
  assert.equal(first.body.series, undefined);
  assert.deepEqual(ops([series.observe(web, failed), series.observe(web, failed)]), ['counted', 'counted']);
});

test('50 repeats become one Event whose series carries the count', () => {
  const { clock, series } = setup();
  const results = Array.from({ length: 50 }, () => {
    clock.now += 10;
    return series.observe(web, failed);
  });
  assert.equal(results.filter((r) => r.op === 'create').length, 1);
  const writes: ObserveResult[] = results.filter((r) => r.op === 'patch');
  clock.now += 1000;
  writes.push(...series.due());
  const last = patch(writes.at(-1));
  assert.equal(last.series.count, 50);
  assert.equal(last.series.lastObservedTime.getTime(), clock.now - 1000);
  assert.ok(writes.length <= 1, 'one patch for the whole burst');
  assert.deepEqual(series.due(), [], 'nothing left once written');
});

test('series patches of one Event are spaced by the interval', () => {
  const { clock, series } = setup();
  series.observe(web, failed);
  clock.now += 1000;
  assert.equal(patch(series.observe(web, failed)).series.count, 2, 'a repeat after the interval patches at once');
  clock.now += 400;
  assert.equal(series.observe(web, failed).op, 'counted');
  assert.equal(series.nextDueAt(), clock.now + 600);
  assert.deepEqual(series.due(), []);
  clock.now += 600;
  assert.equal(patch(series.due()[0]).series.count, 3);
  assert.equal(series.nextDueAt(), undefined);
});

test('a patch carries the full Event to recreate it if the server lost it', () => {
  const { clock, series } = setup();
  const created = series.observe(web, failed);
  clock.now += 1000;
  const write = patch(series.observe(web, failed));
  assert.equal(created.op === 'create' && created.body.metadata?.name, write.name);
  assert.equal(write.recreate.metadata?.name, write.name);
  assert.equal(write.recreate.series?.count, 2);
  assert.equal(write.recreate.note, failed.note);
});

test('a different note, reason, type, action or object is a different Event', () => {
  const { series } = setup({ burst: 10 });
  const variants: Array<[typeof web, ObjectEvent]> = [
    [web, failed],
    [web, { ...failed, note: 'E: Unable to locate package other' }],
    [web, { ...failed, reason: 'PipInstallFailed' }],
    [web, { ...failed, type: 'Normal' }],
    [web, { ...failed, action: 'Cancel' }],
    [api, failed],
  ];
  assert.deepEqual(ops(variants.map(([subject, event]) => series.observe(subject, event))), Array(6).fill('create'));
});

test('notes are compared after sanitising, so stray control characters do not split a series', () => {
  const { series } = setup();
  series.observe(web, failed);
  assert.equal(series.observe(web, { ...failed, note: `${failed.note}\n` }).op, 'counted');
});

test('a repeat after the window starts a new Event', () => {
  const { clock, series } = setup();
  const first = series.observe(web, failed);
  clock.now += 60_001;
  const again = series.observe(web, failed);
  assert.equal(again.op, 'create');
  assert.notEqual(first.op === 'create' && first.body.metadata?.name, again.op === 'create' && again.body.metadata?.name);
  assert.equal(series.size, 1, 'the ended series is forgotten');
});

test('each object has a token bucket: a retry loop is cut off, other objects are not', () => {
  const { clock, series } = setup({ burst: 3 });
  const distinct = (i: number): ObjectEvent => ({ ...failed, note: `attempt ${i}` });
  const results = Array.from({ length: 5 }, (_, i) => series.observe(web, distinct(i)));
  assert.deepEqual(ops(results), ['create', 'create', 'create', 'dropped', 'dropped']);
  assert.equal(series.observe(api, failed).op, 'create');
  clock.now += 10_000;
  assert.equal(series.observe(web, distinct(9)).op, 'create', 'one token back after the refill interval');
  assert.equal(series.observe(web, distinct(10)).op, 'dropped');
});

test('a series patch waits for a token instead of being lost', () => {
  const { clock, series } = setup({ burst: 1 });
  series.observe(web, failed);
  clock.now += 1000;
  assert.equal(series.observe(web, failed).op, 'counted', 'the bucket is empty');
  assert.equal(series.nextDueAt(), clock.now - 1000 + 10_000, 'due when the next token comes');
  clock.now += 9000;
  assert.equal(patch(series.due()[0]).series.count, 2);
});

test('flush sends every pending count at once', () => {
  const { series } = setup();
  series.observe(web, failed);
  series.observe(web, failed);
  series.observe(api, failed);
  series.observe(api, failed);
  series.observe(api, failed);
  const counts = series.flush().map((w) => patch(w).series.count).sort();
  assert.deepEqual(counts, [2, 3]);
  assert.deepEqual(series.flush(), []);
});

test('after a failed create the next occurrence creates again', () => {
  const { series } = setup();
  const first = series.observe(web, failed);
  series.createFailed(first.op === 'create' ? first.key : '');
  assert.equal(series.observe(web, failed).op, 'create');
});

test('Event names are unique even within one millisecond', () => {
  const { series } = setup({ burst: 10 });
  const names = Array.from({ length: 5 }, (_, i) => series.observe(web, { ...failed, note: `n${i}` })).map((r) => (r.op === 'create' ? r.body.metadata?.name : ''));
  assert.equal(new Set(names).size, 5);
});
