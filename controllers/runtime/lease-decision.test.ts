import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acquireDelay,
  decide,
  observe,
  recordOf,
  releasedRecord,
  renewDeadlinePassed,
  specOf,
  type Decision,
  type LeaseRecord,
  type Observation,
} from './lease-decision.ts';

const ME = 'controller-a_1111';
const OTHER = 'controller-b_2222';
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const timings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

function heldBy(holderIdentity: string, renewTimeMs: number, leaseTransitions = 3): LeaseRecord {
  return { holderIdentity, leaseDurationSeconds: 15, acquireTimeMs: T0 - 60_000, renewTimeMs, leaseTransitions };
}

function written(decision: Decision): LeaseRecord | undefined {
  return decision.action === 'wait' ? undefined : decision.record;
}

const at = (nowMs: number, current: LeaseRecord | undefined, observed?: Observation) =>
  decide({ identity: ME, nowMs, current, observed, leaseDurationSeconds: 15 });

test('no Lease: create one naming us, with no transitions yet', () => {
  const decision = at(T0, undefined);
  assert.equal(decision.action, 'create');
  assert.deepEqual(written(decision), {
    holderIdentity: ME,
    leaseDurationSeconds: 15,
    acquireTimeMs: T0,
    renewTimeMs: T0,
    leaseTransitions: 0,
  });
});

test('a Lease held by another candidate is waited for while unchanged for less than its duration', () => {
  const lease = heldBy(OTHER, T0);
  const first = at(T0, lease);
  assert.equal(first.action, 'wait');
  assert.equal(first.action === 'wait' && first.expiresAtMs, T0 + 15_000);
  const later = at(T0 + 14_999, lease, first.observed);
  assert.equal(later.action, 'wait');
});

test('an expired Lease (unchanged for its duration by our clock) is taken over, counting a transition', () => {
  const lease = heldBy(OTHER, T0);
  const first = at(T0, lease);
  const expired = at(T0 + 15_000, lease, first.observed);
  assert.equal(expired.action, 'takeOver');
  assert.deepEqual(written(expired), {
    holderIdentity: ME,
    leaseDurationSeconds: 15,
    acquireTimeMs: T0 + 15_000,
    renewTimeMs: T0 + 15_000,
    leaseTransitions: 4,
  });
});

test('a holder that renews restarts our observation, so its Lease never expires', () => {
  const first = at(T0, heldBy(OTHER, T0));
  const renewed = at(T0 + 10_000, heldBy(OTHER, T0 + 9_000), first.observed);
  assert.equal(renewed.action, 'wait');
  assert.equal(renewed.observed.observedAtMs, T0 + 10_000);
  assert.equal(at(T0 + 20_000, heldBy(OTHER, T0 + 9_000), renewed.observed).action, 'wait');
  assert.equal(at(T0 + 25_000, heldBy(OTHER, T0 + 9_000), renewed.observed).action, 'takeOver');
});

test('clock skew does not count: only our own observation times decide expiry', () => {
  // The holder's clock runs an hour behind ours: its renewTime looks long expired, yet it just renewed.
  const behind = at(T0, heldBy(OTHER, T0 - 3_600_000));
  assert.equal(behind.action, 'wait');
  // The holder's clock runs an hour ahead: its renewTime looks far in the future, yet it stopped renewing.
  const ahead = heldBy(OTHER, T0 + 3_600_000);
  const first = at(T0, ahead);
  assert.equal(first.action, 'wait');
  assert.equal(at(T0 + 15_000, ahead, first.observed).action, 'takeOver');
});

test('the holder renews its own Lease, keeping acquireTime and transitions', () => {
  const mine = heldBy(ME, T0 - 2_000, 7);
  const decision = at(T0, mine);
  assert.equal(decision.action, 'renew');
  assert.deepEqual(written(decision), { ...mine, renewTimeMs: T0 });
});

test('a leader that has not renewed within the renew deadline stops leading', () => {
  assert.equal(renewDeadlinePassed(T0, T0 + 9_999, timings), false);
  assert.equal(renewDeadlinePassed(T0, T0 + 10_000, timings), true);
});

test('a released Lease names no one and is taken over at once, without waiting for its duration', () => {
  const released = releasedRecord(heldBy(OTHER, T0, 5), T0 + 1_000);
  assert.deepEqual(released, { holderIdentity: '', leaseDurationSeconds: 1, acquireTimeMs: T0 + 1_000, renewTimeMs: T0 + 1_000, leaseTransitions: 5 });
  const decision = at(T0 + 1_001, released);
  assert.equal(decision.action, 'takeOver');
  assert.equal(written(decision)?.leaseTransitions, 6);
});

test('an unchanged record keeps its first observation time; any change restarts it', () => {
  const first = observe(undefined, heldBy(OTHER, T0), T0);
  assert.equal(observe(first, heldBy(OTHER, T0), T0 + 5_000), first);
  assert.equal(observe(first, heldBy(OTHER, T0, 4), T0 + 5_000).observedAtMs, T0 + 5_000);
});

test('the Lease body carries MicroTime with six fractional digits and reads back to the same record', () => {
  const record = heldBy(ME, T0 + 123);
  const json = JSON.parse(JSON.stringify(specOf(record))) as Record<string, unknown>;
  assert.equal(json.renewTime, '2025-01-01T12:00:00.123000Z');
  assert.deepEqual(recordOf(json), record);
  assert.deepEqual(recordOf(undefined), { holderIdentity: '', leaseDurationSeconds: 0, acquireTimeMs: undefined, renewTimeMs: undefined, leaseTransitions: 0 });
});

test('acquire attempts wait the retry period plus up to a fifth of it', () => {
  assert.equal(acquireDelay(timings, 0), 2_000);
  assert.equal(acquireDelay(timings, 1), 2_400);
});
