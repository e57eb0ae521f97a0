// Pure decisions of Lease-based leader election, with client-go's semantics: a Lease held by
// another candidate counts as expired only once it has stayed unchanged for its duration as
// measured by our own clock since we first saw it, so clock skew between candidates (or between a
// candidate and the API server) cannot make two of them lead at once.
import { V1MicroTime, type V1LeaseSpec } from '@kubernetes/client-node';

export interface LeaseTimings {
  /** How long a Lease that stopped changing stays valid for the other candidates. */
  leaseDurationMs: number;
  /** The leader stops leading when it could not renew for this long (less than leaseDurationMs). */
  renewDeadlineMs: number;
  /** Pause between attempts to acquire or renew. */
  retryPeriodMs: number;
}

/** The election-relevant part of a Lease, times in epoch milliseconds. */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTimeMs?: number;
  renewTimeMs?: number;
  leaseTransitions: number;
}

/** A record as we last saw it, and when (by our clock) we first saw it in that state. */
export interface Observation {
  record: LeaseRecord;
  observedAtMs: number;
}

export interface DecisionInput {
  identity: string;
  nowMs: number;
  /** The Lease's record as just read; undefined when no Lease exists. */
  current: LeaseRecord | undefined;
  /** Our previous observation, undefined before the first read. */
  observed: Observation | undefined;
  leaseDurationSeconds: number;
}

export type Decision =
  | { action: 'create' | 'takeOver' | 'renew'; record: LeaseRecord; observed: Observation | undefined }
  | { action: 'wait'; holderIdentity: string; expiresAtMs: number; observed: Observation };

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTimeMs === b.acquireTimeMs &&
    a.renewTimeMs === b.renewTimeMs &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** Keeps the earlier observation time while the record is unchanged; a change restarts it. */
export function observe(previous: Observation | undefined, current: LeaseRecord, nowMs: number): Observation {
  return previous && sameRecord(previous.record, current) ? previous : { record: current, observedAtMs: nowMs };
}

/** When the observed holder's claim runs out, by our clock. */
export function expiresAt(observation: Observation): number {
  return observation.observedAtMs + observation.record.leaseDurationSeconds * 1000;
}

/** What to do with the Lease now: create it, take it over, renew it, or wait for its holder. */
export function decide(input: DecisionInput): Decision {
  const { identity, nowMs, current, leaseDurationSeconds } = input;
  if (!current) {
    const record = { holderIdentity: identity, leaseDurationSeconds, acquireTimeMs: nowMs, renewTimeMs: nowMs, leaseTransitions: 0 };
    return { action: 'create', record, observed: input.observed };
  }
  const observed = observe(input.observed, current, nowMs);
  if (current.holderIdentity === identity) {
    const record = { ...current, leaseDurationSeconds, acquireTimeMs: current.acquireTimeMs ?? nowMs, renewTimeMs: nowMs };
    return { action: 'renew', record, observed };
  }
  const expiresAtMs = expiresAt(observed);
  if (current.holderIdentity !== '' && nowMs < expiresAtMs) {
    return { action: 'wait', holderIdentity: current.holderIdentity, expiresAtMs, observed };
  }
  const record = {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTimeMs: nowMs,
    renewTimeMs: nowMs,
    leaseTransitions: current.leaseTransitions + 1,
  };
  return { action: 'takeOver', record, observed };
}

/** A leader that has not renewed for the renew deadline must stop acting as leader. */
export function renewDeadlinePassed(lastRenewMs: number, nowMs: number, timings: LeaseTimings): boolean {
  return nowMs - lastRenewMs >= timings.renewDeadlineMs;
}

/** The record a leader writes on shutdown: no holder, so a standby takes over at its next try. */
export function releasedRecord(current: LeaseRecord, nowMs: number): LeaseRecord {
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTimeMs: nowMs, renewTimeMs: nowMs, leaseTransitions: current.leaseTransitions };
}

/** Pause before the next acquire attempt: the retry period plus up to 20%, so candidates spread out. */
export function acquireDelay(timings: LeaseTimings, random: number): number {
  return timings.retryPeriodMs * (1 + 0.2 * random);
}

function epochMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The record of a Lease as read (client-node leaves MicroTime fields as strings). */
export function recordOf(spec: V1LeaseSpec | undefined): LeaseRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTimeMs: epochMs(spec?.acquireTime),
    renewTimeMs: epochMs(spec?.renewTime),
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

/** The Lease spec to write; times as MicroTime, which the API server requires with microseconds. */
export function specOf(record: LeaseRecord): V1LeaseSpec {
  const micro = (ms: number | undefined) => (ms === undefined ? undefined : new V1MicroTime(ms));
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: micro(record.acquireTimeMs),
    renewTime: micro(record.renewTimeMs),
    leaseTransitions: record.leaseTransitions,
  };
}
