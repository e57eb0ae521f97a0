import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_OPTIONS } from './args.ts';
import { buildResults, latencySeries, reportText, type Measured } from './report.ts';
import type { WindowWrites } from './writes.ts';

const writes = (controller: number): WindowWrites => ({ controller, byResource: {}, otherEventWrites: 0, excluded: {} });

function measured(): Measured {
  return {
    startedAt: new Date('2025-01-01T00:00:00Z'),
    finishedAt: new Date('2025-01-01T00:05:00Z'),
    options: { ...DEFAULT_OPTIONS, n: 100 },
    n: 100,
    burst: { controllerMs: 1300.4, writes: writes(450), cpuMs: 321, peakRssMb: 140 },
    floorMs: 1000,
    status: {
      byKind: { Running: [10, 20], Succeeded: [30.26], Failed: [] },
      writes: { running: writes(200), succeeded: writes(160), failed: writes(60) },
      counts: { succeeded: 80, failed: 20 },
    },
    edits: { latenciesMs: [5, 6, 7, 8], writes: writes(22) },
    rest: { writes: writes(0), cpuMs: 12.3, rssMb: 120 },
    restart: { writes: writes(2), cpuMs: 40, rssMb: 90, readyMs: 612.6, listFloor: { ms: 210.4, objects: 30 }, startupCpuMs: 700, peakRssMb: 95 },
    readyEmptyMs: 400,
    warnings: ['other runs share the cluster'],
  };
}

test('the figures per revision, the ratio and the latencies come from the measurements', () => {
  const results = buildResults(measured());
  assert.equal(results.convergence.ratio, 1.3);
  assert.equal(results.convergence.controllerMs, 1300);
  assert.equal(results.writesPerRevisionCreating, 4.5);
  // (450 + 200) / 100 for creating and running, then 160 / 80 to Succeeded or 60 / 20 to Failed.
  assert.equal(results.writesPerRevision, 8.5);
  assert.equal(results.writesPerFailedRevision, 9.5);
  assert.equal(results.writes.finishing.controller, 420);
  assert.equal(results.writesPerEdit, 5.5);
  assert.equal(results.writesAtRest, 0);
  assert.equal(results.writesAfterRestart, 2);
  assert.equal(results.cpuMsPerRevision, 3.21);
  assert.equal(results.readyMs, 613);
  assert.equal(results.readyListFloorMs, 210);
  assert.equal(results.rssMb, 140);
  assert.deepEqual(results.podToStatus.byKind.Failed, { count: 0, p50Ms: null, p99Ms: null, maxMs: null, samplesMs: [] });
  assert.equal(results.podToStatus.count, 3);
  assert.equal(results.podToStatus.p99Ms, 30);
  assert.deepEqual(results.podToStatus.byKind.Succeeded.samplesMs, [30.3]);
});

test('the report is a table with a verdict per goal, then the warnings', () => {
  const text = reportText(buildResults(measured()));
  assert.match(text, /^imagespec-controller control-plane benchmark, n=100/);
  assert.match(text, /convergence ratio +1\.30 +<= 1\.3 +met/);
  assert.match(text, /writes after restart \(60 s\) +2 +0 +not met/);
  assert.match(text, /\nwarning: other runs share the cluster\n$/);
});

test('the chart has the edit latencies and one series per status kind', () => {
  assert.deepEqual(latencySeries(buildResults(measured())).map((series) => series.label), ['editToPod', 'podToStatus Running', 'podToStatus Succeeded', 'podToStatus Failed']);
});
