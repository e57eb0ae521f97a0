// Leader election against the real API server: two candidates in one process, with short timings,
// contend for one Lease. A sampler reads both leadership flags throughout every test and fails
// the test if it ever sees both leading at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { LeaderElector, type LeaseApi, type StopReason } from '../../controllers/runtime/leader-election.ts';
import type { LeaseTimings } from '../../controllers/runtime/lease-decision.ts';
import { createLogger } from '../../controllers/runtime/logger.ts';
import { clusterUp } from '../cluster/cluster.ts';
import { connect, type Kube } from './harness.ts';
import { createNamespace, deleteNamespaces, uniqueNamespaceName } from '../namespaces.ts';
import { waitFor } from '../wait.ts';

const log = createLogger({ level: 'warn', format: 'text' });
const SHORT: LeaseTimings = { leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 };

let kube: Kube;
let leases: CoordinationV1Api;
let namespace: string;
const electors: LeaderElector[] = [];

before(async () => {
  const { kubeconfig } = await clusterUp({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  kube = connect(kubeconfig);
  leases = kube.kubeConfig.makeApiClient(CoordinationV1Api);
  namespace = await createNamespace(kube, uniqueNamespaceName('it-lease'));
});

after(async () => {
  await Promise.all(electors.map((elector) => elector.release()));
  await deleteNamespaces(kube, [namespace]);
});

interface Candidate {
  identity: string;
  elector: LeaderElector;
  stopped: StopReason[];
}

/** A candidate whose API calls fail while `partitioned()` is true, as if cut off from the API server. */
function candidate(identity: string, lease: string, timings: LeaseTimings, partitioned = () => false): Candidate {
  const cutOff = () => Promise.reject(Object.assign(new Error('connection refused (test partition)'), { code: 'ECONNREFUSED' }));
  const api: LeaseApi = {
    readNamespacedLease: (param) => (partitioned() ? cutOff() : leases.readNamespacedLease(param)),
    createNamespacedLease: (param) => (partitioned() ? cutOff() : leases.createNamespacedLease(param)),
    replaceNamespacedLease: (param) => (partitioned() ? cutOff() : leases.replaceNamespacedLease(param)),
  };
  const stopped: StopReason[] = [];
  const elector = new LeaderElector({ api, namespace, name: lease, identity, timings, log, onStoppedLeading: (reason) => stopped.push(reason) });
  electors.push(elector);
  return { identity, elector, stopped };
}

/** Samples both flags every few milliseconds until stopped; returns how often both were leading. */
function sampleOverlap(a: Candidate, b: Candidate): () => number {
  let overlaps = 0;
  const timer = setInterval(() => {
    if (a.elector.isLeader() && b.elector.isLeader()) overlaps += 1;
  }, 5);
  return () => {
    clearInterval(timer);
    return overlaps;
  };
}

async function readLease(name: string): Promise<V1Lease> {
  return leases.readNamespacedLease({ namespace, name });
}

/** Starts two candidates for `lease` at once and waits for one of them to lead. */
async function contest(lease: string, timings: LeaseTimings): Promise<{ leader: Candidate; standby: Candidate; overlaps: () => number }> {
  const a = candidate(`it-a-${process.pid}`, lease, timings);
  const b = candidate(`it-b-${process.pid}`, lease, timings);
  const overlaps = sampleOverlap(a, b);
  void a.elector.run();
  void b.elector.run();
  return waitFor('one candidate to lead', async () => {
    if (a.elector.isLeader() === b.elector.isLeader()) return undefined;
    return a.elector.isLeader() ? { leader: a, standby: b, overlaps } : { leader: b, standby: a, overlaps };
  });
}

/** Waits until the leader has renewed the Lease `times` more times. */
async function renewals(name: string, times: number): Promise<void> {
  let last = String((await readLease(name)).spec?.renewTime);
  for (let seen = 0; seen < times; seen += 1) {
    await waitFor(`Lease ${name} to be renewed`, async () => {
      const renewTime = String((await readLease(name)).spec?.renewTime);
      if (renewTime === last) return undefined;
      last = renewTime;
      return true;
    });
  }
}

test('of two candidates exactly one leads, and the Lease names it', async () => {
  const { leader, standby, overlaps } = await contest('exactly-one', SHORT);
  await renewals('exactly-one', 3);
  assert.equal(leader.elector.isLeader(), true);
  assert.equal(standby.elector.isLeader(), false);
  const spec = (await readLease('exactly-one')).spec!;
  assert.equal(spec.holderIdentity, leader.identity);
  assert.equal(spec.leaseDurationSeconds, 4);
  assert.match(String(spec.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'renewTime is a MicroTime');
  assert.equal(overlaps(), 0, 'both candidates led at once');
});

test('when the leader releases, the other leads at its next try, long before the Lease would expire', async () => {
  // A Lease far longer than the wait below: only the release can hand it over in time.
  const timings: LeaseTimings = { leaseDurationMs: 120_000, renewDeadlineMs: 90_000, retryPeriodMs: 500 };
  const { leader, standby, overlaps } = await contest('release', timings);
  const transitions = (await readLease('release')).spec?.leaseTransitions ?? 0;
  await leader.elector.release();
  assert.deepEqual(leader.stopped, ['released']);
  await waitFor('the standby to lead after the release', async () => standby.elector.isLeader(), 30_000);
  const spec = (await readLease('release')).spec!;
  assert.equal(spec.holderIdentity, standby.identity);
  assert.equal(spec.leaseTransitions, transitions + 1);
  assert.equal(overlaps(), 0, 'both candidates led at once');
});

test('when the leader stops renewing without releasing, it stops leading and the other leads after the lease duration', async () => {
  let cut = false;
  const a = candidate(`it-a-${process.pid}`, 'expiry', SHORT, () => cut);
  const b = candidate(`it-b-${process.pid}`, 'expiry', SHORT);
  const overlaps = sampleOverlap(a, b);
  void a.elector.run();
  await waitFor('the first candidate to lead', async () => a.elector.isLeader());
  void b.elector.run();
  await renewals('expiry', 2);
  cut = true;
  await waitFor('the cut-off leader to give up', async () => !a.elector.isLeader(), 30_000);
  assert.deepEqual(a.stopped, ['lost']);
  await waitFor('the other candidate to take over the expired Lease', async () => b.elector.isLeader(), 30_000);
  assert.equal((await readLease('expiry')).spec?.holderIdentity, b.identity);
  assert.equal(overlaps(), 0, 'both candidates led at once');
});
