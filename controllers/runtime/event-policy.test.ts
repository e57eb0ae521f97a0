import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventSubject, ObjectEvent } from './eventbody.ts';
import type { EventRecorder } from './events.ts';
import { isRecorded, withEventPolicy } from './event-policy.ts';

const normal: ObjectEvent = { type: 'Normal', reason: 'Succeeded', action: 'Build', note: 'Built x@sha256:1' };
const warning: ObjectEvent = { type: 'Warning', reason: 'AptInstallFailed', action: 'Build', note: 'apt failed' };
const subject = { kind: 'ImageSpec', name: 'web', namespace: 'team-a' } as unknown as EventSubject;

test('warnings records only Warning Events; all records both; none records nothing', () => {
  assert.deepEqual([isRecorded('warnings', normal), isRecorded('warnings', warning)], [false, true]);
  assert.deepEqual([isRecorded('all', normal), isRecorded('all', warning)], [true, true]);
  assert.deepEqual([isRecorded('none', normal), isRecorded('none', warning)], [false, false]);
});

test('the wrapped recorder passes on what the policy allows and flushes the underlying one', async () => {
  const recorded: string[] = [];
  let flushed = 0;
  const inner: EventRecorder = { record: (_s, e) => recorded.push(e.reason), flush: async () => void (flushed += 1) };
  const warnings = withEventPolicy(inner, 'warnings')!;
  warnings.record(subject, normal);
  warnings.record(subject, warning);
  await warnings.flush();
  assert.deepEqual(recorded, ['AptInstallFailed']);
  assert.equal(flushed, 1);
  assert.equal(withEventPolicy(inner, 'all'), inner);
  assert.equal(withEventPolicy(inner, 'none'), undefined);
});
