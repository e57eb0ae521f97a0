import { test } from 'node:test';
import assert from 'node:assert/strict';
import { V1MicroTime } from '@kubernetes/client-node';
import { eventBody, eventName, eventSubject, firstLine, normalizeEvent, NOTE_MAX_BYTES, sanitizeName, sanitizeNote } from './eventbody.ts';

const subject = eventSubject('imagespec.dev/v1alpha1', 'ImageSpec', { name: 'web', namespace: 'ns', uid: 'uid-1', resourceVersion: '42' });

test('a note stays one line, and shows other control and bidirectional characters as escapes', () => {
  assert.equal(sanitizeNote('E: broken\r\n\tpackage\u0007nope\u009b'), 'E: broken package\\u0007nope\\u009b');
  assert.equal(sanitizeNote('  plain  '), 'plain');
  // An override would make "numpy\u202egpj.exe" read as "numpyexe.jpg" in a console.
  assert.equal(sanitizeNote('Invalid spec: numpy\u202egpj.exe \u2066x\u2069 \u200e\u200f'), 'Invalid spec: numpy\\u202egpj.exe \\u2066x\\u2069 \\u200e\\u200f');
  assert.equal(sanitizeNote('\u001b[31mred\u001b[0m'), '\\u001b[31mred\\u001b[0m', 'no terminal escape sequence survives');
});

test('a long note is cut to 1 KiB of UTF-8 on a character boundary', () => {
  const note = sanitizeNote('é'.repeat(2000));
  assert.ok(Buffer.byteLength(note, 'utf8') <= NOTE_MAX_BYTES);
  assert.ok(note.endsWith('...'));
  assert.ok(!note.includes('\ufffd'));
  assert.equal(sanitizeNote('a'.repeat(NOTE_MAX_BYTES)).length, NOTE_MAX_BYTES, 'exactly the limit is kept whole');
});

test('reason and action keep letters and digits only, with a fallback', () => {
  assert.equal(sanitizeName('Apt Install-Failed!', 'Unknown'), 'AptInstallFailed');
  assert.equal(sanitizeName('---', 'Unknown'), 'Unknown');
  assert.equal(sanitizeName('A'.repeat(300), 'Unknown').length, 128);
});

test('the first line is the first non-empty one', () => {
  assert.equal(firstLine('\n  apt-get install failed  \nE: Unable to locate package'), 'apt-get install failed');
  assert.equal(firstLine(undefined), '');
});

test('normalizing keeps a well-formed event as it is', () => {
  const event = { type: 'Warning' as const, reason: 'PushFailed', action: 'Build', note: 'skopeo copy failed' };
  assert.deepEqual(normalizeEvent(event), event);
});

test('event names are the object name and a hex suffix, a valid DNS subdomain at any length', () => {
  assert.equal(eventName('web', 255n), 'web.ff');
  const long = eventName(`${'a'.repeat(240)}-${'b'.repeat(12)}`, 0x1234567890abcdefn);
  assert.ok(long.length <= 253);
  assert.match(long, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[0-9a-f]+$/);
});

test('the body names the object, the reporter and the times the API server expects', () => {
  const body = eventBody({
    name: 'web.1',
    subject,
    event: { type: 'Normal', reason: 'Succeeded', action: 'Build', note: 'Built registry.test/web:abc@sha256:00' },
    reportingInstance: 'controller-pod-0',
    firstObservedMs: Date.UTC(2026, 10, 23, 10, 0, 0, 123),
    series: { count: 3, lastObservedMs: Date.UTC(2026, 10, 23, 10, 1, 0) },
  });
  assert.deepEqual(body.regarding, { apiVersion: 'imagespec.dev/v1alpha1', kind: 'ImageSpec', name: 'web', namespace: 'ns', uid: 'uid-1', resourceVersion: '42' });
  assert.equal(body.metadata?.namespace, 'ns');
  assert.equal(body.reportingController, 'imagespec.dev/controller');
  assert.equal(body.reportingInstance, 'controller-pod-0');
  assert.ok(body.eventTime instanceof V1MicroTime);
  assert.equal(JSON.parse(JSON.stringify(body)).eventTime, '2026-11-23T10:00:00.123000Z', 'microsecond precision on the wire');
  assert.equal(body.series?.count, 3);
});
