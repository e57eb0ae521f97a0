// Lease-based leader election (coordination.k8s.io/v1): the thin I/O loop around
// lease-decision.ts. Every write is a create or a replace carrying the resourceVersion that was
// read, so when two candidates race only one write succeeds; a conflict means someone else wrote.
// A leader that cannot renew within the renew deadline stops leading and must not act again.
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { describeError } from './informer.ts';
import { isAlreadyExists, isConflict, isNotFound } from './errors.ts';
import type { Logger } from './logger.ts';
import {
  acquireDelay,
  decide,
  recordOf,
  releasedRecord,
  renewDeadlinePassed,
  specOf,
  type LeaseTimings,
  type Observation,
} from './lease-decision.ts';

export type LeaseApi = Pick<CoordinationV1Api, 'readNamespacedLease' | 'createNamespacedLease' | 'replaceNamespacedLease'>;

/** 'lost': the renew deadline passed or another candidate holds the Lease; 'released': release() gave it up. */
export type StopReason = 'lost' | 'released';

export interface LeaderElectorOptions {
  api: LeaseApi;
  namespace: string;
  /** Name of the Lease. */
  name: string;
  /** Unique per process: candidates with the same identity would both believe they lead. */
  identity: string;
  timings: LeaseTimings;
  log: Logger;
  clock?: () => number;
  random?: () => number;
  onStartedLeading?: () => void;
  onStoppedLeading?: (reason: StopReason) => void;
  onLeadershipChange?: (leading: boolean) => void;
}

export class LeaderElector {
  private readonly options: LeaderElectorOptions;
  private readonly clock: () => number;
  private readonly random: () => number;
  private observed: Observation | undefined;
  /** The Lease as we last wrote it: its resourceVersion makes release() conditional. */
  private written: V1Lease | undefined;
  private leading = false;
  private stopping = false;
  private lastRenewMs = 0;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Tries to acquire the Lease until it succeeds, then renews it until leadership is lost or
   * release() is called. Settles when the loop ends; it never rejects.
   */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Stops the loop and, if we hold the Lease, hands it over at once by writing it without holder. */
  async release(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    // Not leading from here on: the moment the API server stores the release, another candidate
    // may lead, possibly before its reply reaches us.
    if (this.leading) this.stopLeading('released');
    const { api, namespace, name, identity, log } = this.options;
    const held = this.written && recordOf(this.written.spec).holderIdentity === identity ? this.written : undefined;
    if (held) {
      try {
        const spec = specOf(releasedRecord(recordOf(held.spec), this.clock()));
        this.written = await api.replaceNamespacedLease({ namespace, name, body: { ...held, spec } });
        log.info('Released Lease', { namespace, name, identity });
      } catch (error) {
        // A conflict means another candidate has written it since: it is not ours to release.
        log.warn('Could not release Lease', { namespace, name, identity, error: describeError(error) });
      }
    }
  }

  private async loop(): Promise<void> {
    const { timings, namespace, name, identity, log } = this.options;
    log.info('Started leader election', { namespace, name, identity });
    while (!this.stopping && (await this.attempt(false)) !== 'held') {
      await this.sleep(acquireDelay(timings, this.random()));
    }
    if (this.stopping) return; // an acquisition that raced with release() is released there
    this.startLeading();
    while (this.leading && !this.stopping) {
      await this.sleep(timings.retryPeriodMs);
      if (!this.leading || this.stopping) return;
      const startedMs = this.clock();
      const outcome = await this.attempt(true);
      if (!this.leading) return;
      if (outcome === 'held') this.renewed(startedMs);
      if (outcome === 'lost') this.lose('another candidate wrote the Lease');
      // 'retry': the renew deadline timer decides when retrying is no longer good enough.
    }
  }

  /**
   * One read and, if the decision says so, one write. 'held': we hold the Lease now; 'retry': we
   * do not (yet); 'lost': while leading, the Lease names someone else or no one.
   */
  private async attempt(leading: boolean): Promise<'held' | 'retry' | 'lost'> {
    const { api, namespace, name, identity, timings, log } = this.options;
    const nowMs = this.clock();
    let current: V1Lease | undefined;
    try {
      current = await api.readNamespacedLease({ namespace, name });
    } catch (error) {
      if (!isNotFound(error)) {
        log.warn('Could not read Lease', { namespace, name, error: describeError(error) });
        return 'retry';
      }
    }
    const decision = decide({
      identity,
      nowMs,
      current: current && recordOf(current.spec),
      observed: this.observed,
      leaseDurationSeconds: Math.ceil(timings.leaseDurationMs / 1000),
    });
    this.observed = decision.observed;
    // A deleted Lease may be created again; any other record means our claim was overwritten.
    if (leading && decision.action !== 'renew' && decision.action !== 'create') return 'lost';
    if (decision.action === 'wait') {
      log.debug('Lease is held by another candidate', { namespace, name, holder: decision.holderIdentity });
      return 'retry';
    }
    try {
      const spec = specOf(decision.record);
      this.written =
        decision.action === 'create' || !current
          ? await api.createNamespacedLease({ namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec } })
          : await api.replaceNamespacedLease({ namespace, name, body: { ...current, spec } });
    } catch (error) {
      const raced = isConflict(error) || isAlreadyExists(error);
      log.log(raced ? 'debug' : 'warn', raced ? 'Lease was written by another candidate meanwhile' : 'Could not write Lease', {
        namespace,
        name,
        action: decision.action,
        error: describeError(error),
      });
      return 'retry';
    }
    this.observed = { record: recordOf(this.written.spec), observedAtMs: nowMs };
    if (decision.action !== 'renew') log.info('Acquired Lease', { namespace, name, identity, transitions: decision.record.leaseTransitions });
    return 'held';
  }

  private startLeading(): void {
    this.leading = true;
    this.renewed(this.observed?.observedAtMs ?? this.clock());
    this.options.onLeadershipChange?.(true);
    this.options.onStartedLeading?.();
  }

  /** Counts the renew deadline from when the successful attempt started, the conservative end. */
  private renewed(startedMs: number): void {
    this.lastRenewMs = startedMs;
    this.armDeadline();
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    const remainingMs = this.lastRenewMs + this.options.timings.renewDeadlineMs - this.clock();
    this.deadlineTimer = setTimeout(() => {
      if (!this.leading) return;
      if (renewDeadlinePassed(this.lastRenewMs, this.clock(), this.options.timings)) this.lose('the renew deadline passed');
      else this.armDeadline();
    }, Math.max(0, remainingMs));
    this.deadlineTimer.unref();
  }

  private lose(why: string): void {
    const { namespace, name, identity, log } = this.options;
    log.error('Lost Lease', { namespace, name, identity, reason: why });
    this.stopLeading('lost');
    this.wake?.();
  }

  private stopLeading(reason: StopReason): void {
    clearTimeout(this.deadlineTimer);
    this.leading = false;
    this.options.onLeadershipChange?.(false);
    this.options.onStoppedLeading?.(reason);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
