// Records events.k8s.io/v1 Events, so `kubectl describe` tells what the controller did. The
// aggregation is EventSeries (pure); this is its thin I/O edge. Recording is fire and forget: it
// never throws into a reconcile and never makes one wait; a failed write is logged, without the
// Event's text, and dropped.
import { hostname } from 'node:os';
import { EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { EventSubject, ObjectEvent } from './eventbody.ts';
import { isAlreadyExists, isNotFound } from './errors.ts';
import { EventSeries, type EventSeriesOptions, type EventWrite } from './eventseries.ts';
import { mergePatch } from './kube.ts';
import type { Logger } from './logger.ts';

export interface EventRecorder {
  /** Records one occurrence; returns at once and never throws. */
  record(subject: EventSubject, event: ObjectEvent): void;
  /** Sends the series counts still waiting for their interval and waits for every write in flight. */
  flush(): Promise<void>;
}

/** The Pod's name in a cluster (downward API), the host name elsewhere. */
export function reportingInstance(env: NodeJS.ProcessEnv = process.env): string {
  return env.POD_NAME || hostname();
}

/** Records each event about one object; without a recorder, nothing. */
export function recordEvents(recorder: EventRecorder | undefined, subject: EventSubject, events: ReadonlyArray<ObjectEvent | undefined>): void {
  for (const event of events) if (event) recorder?.record(subject, event);
}

export interface EventRecorderOptions extends Partial<EventSeriesOptions> {
  reportingInstance?: string;
  clock?: () => number;
}

/** The part of a failure that is safe to log: an API error's body may quote the Event. */
function failureSummary(error: unknown): string {
  const e = error as { code?: unknown; cause?: { code?: unknown }; name?: unknown } | undefined;
  if (typeof e?.code === 'number') return `HTTP ${e.code}`;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code; // fetch wraps socket errors
  return typeof e?.name === 'string' ? e.name : 'unknown error';
}

export class KubeEventRecorder implements EventRecorder {
  private readonly api: EventsV1Api;
  private readonly log: Logger;
  private readonly series: EventSeries;
  private readonly clock: () => number;
  /** The last write per series: writes of one Event go out in order (create before patch). */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | undefined;

  constructor(api: EventsV1Api, log: Logger, options: EventRecorderOptions = {}) {
    const { reportingInstance: instance, clock, ...seriesOptions } = options;
    this.api = api;
    this.log = log;
    this.clock = clock ?? Date.now;
    this.series = new EventSeries(instance ?? reportingInstance(), this.clock, seriesOptions);
  }

  record(subject: EventSubject, event: ObjectEvent): void {
    try {
      const result = this.series.observe(subject, event);
      if (result.op === 'dropped') {
        this.log.debug('Dropped Event over the rate limit', { namespace: subject.namespace, object: `${subject.kind}/${subject.name}`, reason: event.reason });
      } else if (result.op !== 'counted') {
        this.send(result);
      }
      this.schedule();
    } catch (error) {
      this.log.warn('Could not record Event', { namespace: subject.namespace, object: `${subject.kind}/${subject.name}`, reason: event.reason, error: failureSummary(error) });
    }
  }

  async flush(): Promise<void> {
    for (const write of this.series.flush()) this.send(write);
    this.schedule();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private send(write: EventWrite): void {
    const run = (this.tails.get(write.key) ?? Promise.resolve()).then(() => this.write(write));
    this.tails.set(write.key, run);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      if (this.tails.get(write.key) === run) this.tails.delete(write.key);
    });
  }

  /** Never rejects. */
  private async write(write: EventWrite): Promise<void> {
    try {
      if (write.op === 'create') {
        await this.api.createNamespacedEvent({ namespace: write.namespace, body: write.body });
        return;
      }
      try {
        await this.api.patchNamespacedEvent({ namespace: write.namespace, name: write.name, body: { series: write.series } }, mergePatch());
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await this.api.createNamespacedEvent({ namespace: write.namespace, body: write.recreate });
      }
    } catch (error) {
      if (write.op === 'create') this.series.createFailed(write.key);
      const level = isAlreadyExists(error) ? 'debug' : 'warn';
      const body = write.op === 'create' ? write.body : write.recreate;
      this.log[level]('Could not write Event', {
        namespace: write.namespace,
        object: `${body.regarding?.kind}/${body.regarding?.name}`,
        reason: body.reason,
        operation: write.op,
        error: failureSummary(error),
      });
    }
  }

  /** One timer, set for the earliest pending series patch; it does not keep the process alive. */
  private schedule(): void {
    const at = this.series.nextDueAt();
    if (at === this.timerAt) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      for (const write of this.series.due()) this.send(write);
      this.schedule();
    }, Math.max(0, at - this.clock()));
    this.timer.unref();
  }
}

export function createEventRecorder(kubeConfig: KubeConfig, log: Logger, options: EventRecorderOptions = {}): EventRecorder {
  return new KubeEventRecorder(kubeConfig.makeApiClient(EventsV1Api), log, options);
}
