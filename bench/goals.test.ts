import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_OPTIONS } from './args.ts';
import { resultRows } from './goals.ts';
import type { BenchResults, Latencies } from './results.ts';

const latencies = (p50Ms: number | null, p99Ms: number | null): Latencies => ({ count: p50Ms === null ? 0 : 10, p50Ms, p99Ms, maxMs: p99Ms, samplesMs: [] });
const noWrites = { controller: 0, byResource: {}, otherEventWrites: 0, excluded: {} };

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:10:00.000Z',
    options: DEFAULT_OPTIONS,
    n: 1000,
    convergence: { controllerMs: 13_000, floorMs: 10_000, ratio: 1.3 },
    editToPod: latencies(40, 300),
    podToStatus: { ...latencies(20, 100), byKind: { Running: latencies(20, 90), Succeeded: latencies(25, 100), Failed: latencies(null, null) } },
    writesPerRevisionCreating: 5,
    writesPerRevision: 8.5,
    writesPerFailedRevision: 10,
    writesPerEdit: 6,
    writesAtRest: 0,
    writesAfterRestart: 3,
    writes: { creating: noWrites, finishing: noWrites, running: noWrites, succeeded: noWrites, failed: noWrites, edits: noWrites, atRest: noWrites, afterRestart: noWrites },
    rssMb: 120,
    rss: { peakMb: 120, settledMb: 100, afterRestartPeakMb: 90, afterRestartSettledMb: 80 },
    cpuMsPerRevision: 4.2,
    cpu: { burstMs: 4200, atRestMs: 10, startupMs: 400 },
    readyMs: 700,
    readyListFloorMs: 450,
    readyEmptyMs: 300,
    warnings: [],
    ...overrides,
  };
}

const verdict = (rows: ReturnType<typeof resultRows>, prefix: string) => rows.find((row) => row.figure.startsWith(prefix))?.verdict;

test('each goal is met at its limit and not met beyond it', () => {
  const rows = resultRows(results());
  assert.equal(verdict(rows, 'convergence ratio'), 'met');
  assert.equal(verdict(rows, 'editToPod (10) p50'), 'met');
  assert.equal(verdict(rows, 'editToPod (10) p99'), 'not met');
  assert.equal(verdict(rows, 'writes per revision, creating'), 'met');
  assert.equal(verdict(rows, 'writes per revision, to Succeeded'), 'not met');
  assert.equal(verdict(rows, 'writes at rest'), 'met');
  assert.equal(verdict(rows, 'writes after restart'), 'not met');
  assert.equal(verdict(rows, 'CPU per revision'), 'met');
  assert.equal(verdict(rows, 'ready with 1000'), 'not met');
});

test('the memory goal is judged at its size; a figure over the limit fails at any size', () => {
  assert.equal(verdict(resultRows(results()), 'RSS, peak'), 'n/a');
  assert.equal(verdict(resultRows(results({ n: 5000 })), 'RSS, peak'), 'met');
  assert.equal(verdict(resultRows(results({ rss: { peakMb: 151, settledMb: 100, afterRestartPeakMb: 0, afterRestartSettledMb: 0 } })), 'RSS, peak'), 'not met');
});

test('a distribution with no samples is n/a and printed as a dash', () => {
  const rows = resultRows(results({ editToPod: latencies(null, null) }));
  const row = rows.find((r) => r.figure === 'editToPod (0) p50');
  assert.deepEqual(row, { figure: 'editToPod (0) p50', value: '-', goal: '<= 50 ms', verdict: 'n/a' });
});

test('figures without a goal have no verdict', () => {
  const rows = resultRows(results());
  assert.equal(verdict(rows, 'convergence, floor'), '');
  assert.equal(verdict(rows, 'writes per edit'), '');
});
