// What one events.k8s.io/v1 Event says, and its body as the API server accepts it: the limits
// below are the server's validation rules, so an Event is never refused for its text.
import { V1MicroTime, type EventsV1Event } from '@kubernetes/client-node';
import { escapeUnsafe } from '../../api/display.ts';

export type EventType = 'Normal' | 'Warning';

/** What happened to an object, as the decision functions plan it. */
export interface ObjectEvent {
  type: EventType;
  /** UpperCamelCase, machine-readable: `Succeeded`, `AptInstallFailed`. */
  reason: string;
  /** What the controller did or tried: `CreateImageSpecJob`, `Build`. */
  action: string;
  /** For humans; sanitised and bounded before it is written. */
  note: string;
}

/** The object an Event is about (its `regarding`). */
export interface EventSubject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
  resourceVersion?: string;
}

export function eventSubject(
  apiVersion: string,
  kind: string,
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string },
): EventSubject {
  return {
    apiVersion,
    kind,
    name: metadata.name ?? '',
    namespace: metadata.namespace ?? '',
    uid: metadata.uid ?? '',
    ...(metadata.resourceVersion ? { resourceVersion: metadata.resourceVersion } : {}),
  };
}

export const REPORTING_CONTROLLER = 'imagespec.dev/controller';
export const NOTE_MAX_BYTES = 1024;
const NAME_FIELD_MAX = 128;
const OBJECT_NAME_MAX = 253;
const ELLIPSIS = '...';

// Line breaks and tabs lay out a multi-line message: a run of them becomes one space.
const LAYOUT_RUN = /[\t\n\r]+/g;

/**
 * One line of printable text within the API server's 1 KiB bound, cut on a character boundary.
 * Notes quote user-supplied values (package names, build output): any other control character
 * and every bidirectional formatting mark is written as a visible escape (`\u202e`).
 */
export function sanitizeNote(note: string): string {
  const flat = escapeUnsafe(note.replace(LAYOUT_RUN, ' ')).trim();
  if (Buffer.byteLength(flat, 'utf8') <= NOTE_MAX_BYTES) return flat;
  const budget = NOTE_MAX_BYTES - ELLIPSIS.length;
  let used = 0;
  let cut = '';
  for (const char of flat) {
    used += Buffer.byteLength(char, 'utf8');
    if (used > budget) break;
    cut += char;
  }
  return `${cut.trimEnd()}${ELLIPSIS}`;
}

/** reason and action: letters and digits only, at most 128 of them. */
export function sanitizeName(value: string, fallback: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9]/g, '').slice(0, NAME_FIELD_MAX);
  return cleaned || fallback;
}

/** The first non-empty line of a multi-line message (the summary line of a failure). */
export function firstLine(message: string | undefined): string {
  return (message ?? '').split(/\r?\n/).map((line) => line.trim()).find((line) => line.length > 0) ?? '';
}

/** The event as it is keyed and written: the same text always gives the same fields. */
export function normalizeEvent(event: ObjectEvent): ObjectEvent {
  return {
    type: event.type === 'Warning' ? 'Warning' : 'Normal',
    reason: sanitizeName(event.reason, 'Unknown'),
    action: sanitizeName(event.action, 'Reconcile'),
    note: sanitizeNote(event.note),
  };
}

/**
 * `<object>.<hex time>` like other Kubernetes reporters, so `kubectl get events` groups them by
 * object; the object part is shortened to keep the whole a valid DNS subdomain.
 */
export function eventName(objectName: string, uniqueSuffix: bigint): string {
  const suffix = uniqueSuffix.toString(16);
  const prefix = objectName.slice(0, OBJECT_NAME_MAX - suffix.length - 1).replace(/[^a-z0-9]+$/, '');
  return `${prefix || 'object'}.${suffix}`;
}

export interface EventBodyInput {
  name: string;
  subject: EventSubject;
  event: ObjectEvent;
  reportingInstance: string;
  firstObservedMs: number;
  /** Present when the Event is first written as a series (count >= 2). */
  series?: { count: number; lastObservedMs: number };
}

export function eventBody(input: EventBodyInput): EventsV1Event {
  const { subject, event } = input;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: input.name, namespace: subject.namespace },
    regarding: {
      apiVersion: subject.apiVersion,
      kind: subject.kind,
      name: subject.name,
      namespace: subject.namespace,
      uid: subject.uid,
      ...(subject.resourceVersion ? { resourceVersion: subject.resourceVersion } : {}),
    },
    type: event.type,
    reason: event.reason,
    action: event.action,
    note: event.note,
    eventTime: new V1MicroTime(input.firstObservedMs),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: input.reportingInstance.slice(0, NAME_FIELD_MAX),
    ...(input.series ? { series: seriesBody(input.series) } : {}),
  };
}

export function seriesBody(series: { count: number; lastObservedMs: number }): NonNullable<EventsV1Event['series']> {
  return { count: series.count, lastObservedTime: new V1MicroTime(series.lastObservedMs) };
}
