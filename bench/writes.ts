// The controller's writes, from kube-apiserver's own counter apiserver_request_total
// (labels verb, group, resource, subresource, code), snapshotted before and after a phase.
//
// Attribution is by resource, not by subtracting the benchmark's own writes: the benchmark writes
// only ImageSpecs (create and merge patch, no subresource), Pod statuses (pods/status, as the
// kubelet would) and its Node's Lease, which the controller never writes, while what the
// controller writes per revision (below) nobody else writes in its namespace while a window is
// open. kube-scheduler binds each build Pod to the benchmark's Node (pods/binding, a resource of
// its own, not counted) and reports it as a `Scheduled` Event (events.k8s.io, the same resource
// as the controller's Events); those writes are estimated from the Events other reporters left
// in the namespace and subtracted (one create per Event, one patch once it became a series).
// The floor phase creates the same kinds of objects, so it runs outside every window.
// The counter is cluster-wide: anything else writing these resources on the cluster during a
// window (another suite's controller) is counted too, which run.ts warns about.

import type { Sample } from './prometheus-text.ts';

export const WRITE_VERBS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY']);

/** What the controller writes: `group/resource[/subresource]`, the core group as `core`. */
export const CONTROLLER_RESOURCES: ReadonlySet<string> = new Set([
  'imagespec.dev/imagespecs/status',
  'imagespec.dev/imagespecjobs',
  'imagespec.dev/imagespecjobs/status',
  'core/pods',
  'events.k8s.io/events',
]);

const EVENTS = 'events.k8s.io/events';

/** Write requests by `VERB group/resource[/subresource]`, every response code included. */
export type WriteCounts = Record<string, number>;

export interface WriteSnapshot {
  counts: WriteCounts;
  /** Estimated writes of Events other reporters (kube-scheduler) made in the namespace so far. */
  otherEventWrites: number;
}

export interface WindowWrites {
  /** The controller's writes in the window. */
  controller: number;
  /** The controller's resources, by verb and resource, before the Events of others are subtracted. */
  byResource: WriteCounts;
  /** Estimated writes of other reporters' Events, subtracted from `controller`. */
  otherEventWrites: number;
  /** Writes to every other resource, not counted (the benchmark's own, the cluster's). */
  excluded: WriteCounts;
}

function resourceKey(labels: Record<string, string>): string {
  const group = labels['group'] || 'core';
  const sub = labels['subresource'] ? `/${labels['subresource']}` : '';
  return `${group}/${labels['resource'] ?? ''}${sub}`;
}

export function apiserverWriteCounts(samples: readonly Sample[]): WriteCounts {
  const counts: WriteCounts = {};
  for (const sample of samples) {
    const verb = sample.labels['verb'] ?? '';
    if (sample.name !== 'apiserver_request_total' || !WRITE_VERBS.has(verb)) continue;
    const key = `${verb} ${resourceKey(sample.labels)}`;
    counts[key] = (counts[key] ?? 0) + sample.value;
  }
  return counts;
}

/** after - before per key, zeros dropped; a counter that went down was reset (the API server restarted) and counts from zero. */
export function diffCounts(before: WriteCounts, after: WriteCounts): WriteCounts {
  const diff: WriteCounts = {};
  for (const [key, value] of Object.entries(after)) {
    const previous = before[key] ?? 0;
    const delta = value >= previous ? value - previous : value;
    if (delta !== 0) diff[key] = delta;
  }
  return diff;
}

/** Writes an Event of another reporter cost: its create, and one patch once it became a series. */
export function otherReportersEventWrites(events: ReadonlyArray<{ reportingController?: string; series?: unknown }>, controller: string): number {
  return events.filter((event) => event.reportingController !== controller).reduce((sum, event) => sum + (event.series ? 2 : 1), 0);
}

export function windowWrites(before: WriteSnapshot, after: WriteSnapshot): WindowWrites {
  const byResource: WriteCounts = {};
  const excluded: WriteCounts = {};
  for (const [key, value] of Object.entries(diffCounts(before.counts, after.counts))) {
    const resource = key.slice(key.indexOf(' ') + 1);
    if (CONTROLLER_RESOURCES.has(resource)) byResource[key] = value;
    else excluded[key] = value;
  }
  const eventWrites = Object.entries(byResource)
    .filter(([key]) => key.endsWith(` ${EVENTS}`))
    .reduce((sum, [, value]) => sum + value, 0);
  // Never more than the Event writes counted: the estimate must not eat the controller's other writes.
  const otherEventWrites = Math.min(Math.max(after.otherEventWrites - before.otherEventWrites, 0), eventWrites);
  const total = Object.values(byResource).reduce((sum, value) => sum + value, 0);
  return { controller: total - otherEventWrites, byResource, otherEventWrites, excluded };
}

/** Sums windows (phases measured apart, such as creating and finishing builds). */
export function addWindows(...windows: readonly WindowWrites[]): WindowWrites {
  const add = (target: WriteCounts, source: WriteCounts) => {
    for (const [key, value] of Object.entries(source)) target[key] = (target[key] ?? 0) + value;
  };
  const sum: WindowWrites = { controller: 0, byResource: {}, otherEventWrites: 0, excluded: {} };
  for (const window of windows) {
    sum.controller += window.controller;
    sum.otherEventWrites += window.otherEventWrites;
    add(sum.byResource, window.byResource);
    add(sum.excluded, window.excluded);
  }
  return sum;
}
