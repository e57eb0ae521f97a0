// Aggregation of repeated Events, on an injected clock, without I/O: it turns each occurrence into
// the write to make (create an Event, patch its series) or into none. A repeat of the same event
// about the same object within the window counts into the existing Event's series instead of
// creating another; series patches of one Event are spaced out, and every write about one object
// takes a token from that object's bucket, so a reconcile retrying in a loop cannot flood the API.
import type { EventsV1Event } from '@kubernetes/client-node';
import { eventBody, eventName, normalizeEvent, seriesBody, type EventSubject, type ObjectEvent } from './eventbody.ts';
import { TokenBuckets } from './tokenbucket.ts';

export interface EventSeriesOptions {
  /** A repeat later than this after the previous occurrence starts a new Event. */
  windowMs: number;
  /** Least time between two series patches of one Event; repeats in between are counted. */
  seriesIntervalMs: number;
  /** Writes (creates and patches) about one object: at most this many at once... */
  burst: number;
  /** ...then one more per this interval. */
  refillEveryMs: number;
}

export const DEFAULT_EVENT_SERIES_OPTIONS: EventSeriesOptions = {
  windowMs: 6 * 60_000,
  seriesIntervalMs: 10_000,
  burst: 25,
  refillEveryMs: 30_000,
};

export type EventWrite =
  | { op: 'create'; key: string; namespace: string; body: EventsV1Event }
  | {
      op: 'patch';
      key: string;
      namespace: string;
      name: string;
      series: NonNullable<EventsV1Event['series']>;
      /** Written instead when the Event is gone (expired on the server, or never created). */
      recreate: EventsV1Event;
    };

export type ObserveResult = EventWrite | { op: 'counted' } | { op: 'dropped'; why: 'rate limited' };

interface Series {
  key: string;
  bucket: string;
  namespace: string;
  name: string;
  subject: EventSubject;
  event: ObjectEvent;
  firstObservedMs: number;
  lastObservedMs: number;
  count: number;
  /** The count the API server has (or is being sent). */
  writtenCount: number;
  lastWriteMs: number;
}

export function seriesKey(subject: EventSubject, event: ObjectEvent): string {
  return JSON.stringify([subject.uid, event.type, event.reason, event.action, event.note]);
}

export class EventSeries {
  private readonly options: EventSeriesOptions;
  private readonly clock: () => number;
  private readonly reportingInstance: string;
  private readonly series = new Map<string, Series>();
  private readonly buckets: TokenBuckets;
  private sequence = 0;

  constructor(reportingInstance: string, clock: () => number, options: Partial<EventSeriesOptions> = {}) {
    this.options = { ...DEFAULT_EVENT_SERIES_OPTIONS, ...options };
    this.clock = clock;
    this.reportingInstance = reportingInstance;
    this.buckets = new TokenBuckets({ burst: this.options.burst, refillEveryMs: this.options.refillEveryMs });
  }

  /** One occurrence of `event` about `subject`. */
  observe(subject: EventSubject, planned: ObjectEvent): ObserveResult {
    const now = this.clock();
    this.expire(now);
    const event = normalizeEvent(planned);
    const key = seriesKey(subject, event);
    const existing = this.series.get(key);
    if (existing) {
      existing.count += 1;
      existing.lastObservedMs = now;
      return this.patchIfDue(existing, now) ?? { op: 'counted' };
    }
    const bucket = subject.uid;
    if (!this.buckets.take(bucket, now)) return { op: 'dropped', why: 'rate limited' };
    const entry: Series = {
      key,
      bucket,
      namespace: subject.namespace,
      name: eventName(subject.name, this.uniqueSuffix(now)),
      subject,
      event,
      firstObservedMs: now,
      lastObservedMs: now,
      count: 1,
      writtenCount: 1,
      lastWriteMs: now,
    };
    this.series.set(key, entry);
    return { op: 'create', key, namespace: entry.namespace, body: this.body(entry) };
  }

  /** Series patches whose interval has passed (the timer's work). */
  due(): EventWrite[] {
    const now = this.clock();
    const writes = [...this.series.values()].flatMap((entry) => this.patchIfDue(entry, now) ?? []);
    this.expire(now);
    return writes;
  }

  /** Every pending series patch now, interval or not (on shutdown); tokens still apply. */
  flush(): EventWrite[] {
    const now = this.clock();
    return [...this.series.values()].flatMap((entry) => this.patch(entry, now) ?? []);
  }

  /** When `due()` next has work; undefined when nothing is pending. */
  nextDueAt(): number | undefined {
    const now = this.clock();
    let next: number | undefined;
    for (const entry of this.series.values()) {
      if (entry.count <= entry.writtenCount) continue;
      const at = Math.max(entry.lastWriteMs + this.options.seriesIntervalMs, this.buckets.nextTokenAt(entry.bucket, now));
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }

  /** A create that failed leaves nothing to count into: the next occurrence creates again. */
  createFailed(key: string): void {
    this.series.delete(key);
  }

  get size(): number {
    return this.series.size;
  }

  private patchIfDue(entry: Series, now: number): EventWrite | undefined {
    if (now - entry.lastWriteMs < this.options.seriesIntervalMs) return undefined;
    return this.patch(entry, now);
  }

  private patch(entry: Series, now: number): EventWrite | undefined {
    if (entry.count <= entry.writtenCount) return undefined;
    if (!this.buckets.take(entry.bucket, now)) return undefined;
    entry.writtenCount = entry.count;
    entry.lastWriteMs = now;
    const series = { count: entry.count, lastObservedMs: entry.lastObservedMs };
    return {
      op: 'patch',
      key: entry.key,
      namespace: entry.namespace,
      name: entry.name,
      series: seriesBody(series),
      recreate: this.body(entry, series),
    };
  }

  private body(entry: Series, series?: { count: number; lastObservedMs: number }): EventsV1Event {
    return eventBody({
      name: entry.name,
      subject: entry.subject,
      event: entry.event,
      reportingInstance: this.reportingInstance,
      firstObservedMs: entry.firstObservedMs,
      ...(series ? { series } : {}),
    });
  }

  /**
   * Series quiet for a whole window end. A count still unsent by then was starved of tokens for
   * the whole window; it is given up rather than kept without bound.
   */
  private expire(now: number): void {
    for (const [key, entry] of this.series) {
      if (now - entry.lastObservedMs > this.options.windowMs) this.series.delete(key);
    }
    this.buckets.prune(now);
  }

  /** Nanoseconds of the clock, made unique within this process by a sequence number. */
  private uniqueSuffix(now: number): bigint {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return BigInt(Math.floor(now)) * 1_000_000n + BigInt(this.sequence);
  }
}
