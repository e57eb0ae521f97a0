// From the measured figures to the results file and the table printed on stdout.
import type { BenchOptions } from './args.ts';
import { resultRows } from './goals.ts';
import type { Series } from './latency-svg.ts';
import { summarize } from './percentiles.ts';
import type { BenchResults, Latencies, StatusKind } from './results.ts';
import { formatTable } from './table.ts';
import { addWindows, type WindowWrites } from './writes.ts';
import type { StatusResult } from './status-latency.ts';

interface Window {
  writes: WindowWrites;
  cpuMs: number;
  rssMb: number;
}

export interface Measured {
  startedAt: Date;
  finishedAt: Date;
  options: BenchOptions;
  n: number;
  burst: { controllerMs: number; writes: WindowWrites; cpuMs: number; peakRssMb: number };
  floorMs: number;
  status: StatusResult;
  edits: { latenciesMs: number[]; writes: WindowWrites };
  rest: Window;
  restart: Window & { readyMs: number; listFloor: { ms: number; objects: number }; startupCpuMs: number; peakRssMb: number };
  readyEmptyMs: number;
  warnings: string[];
}

const KINDS: StatusKind[] = ['Running', 'Succeeded', 'Failed'];
const twoDecimals = (value: number) => Math.round(value * 100) / 100;

export function latencies(samples: readonly number[]): Latencies {
  return { ...summarize(samples), samplesMs: samples.map((value) => Math.round(value * 10) / 10) };
}

/**
 * A revision's writes from create to its end: its share of the creating and running windows (every
 * revision went through them) plus its share of the window in which the revisions of its kind ended.
 */
function perRevision(m: Measured, ending: WindowWrites, count: number): number {
  return (m.burst.writes.controller + m.status.writes.running.controller) / m.n + (count === 0 ? 0 : ending.controller / count);
}

export function buildResults(m: Measured): BenchResults {
  const byKind = Object.fromEntries(KINDS.map((kind) => [kind, latencies(m.status.byKind[kind])])) as Record<StatusKind, Latencies>;
  const editCount = m.edits.latenciesMs.length;
  return {
    startedAt: m.startedAt.toISOString(),
    finishedAt: m.finishedAt.toISOString(),
    options: m.options,
    n: m.n,
    convergence: {
      controllerMs: Math.round(m.burst.controllerMs),
      floorMs: Math.round(m.floorMs),
      ratio: twoDecimals(m.burst.controllerMs / m.floorMs),
    },
    editToPod: latencies(m.edits.latenciesMs),
    podToStatus: { ...latencies(KINDS.flatMap((kind) => m.status.byKind[kind])), byKind },
    writesPerRevisionCreating: twoDecimals(m.burst.writes.controller / m.n),
    writesPerRevision: twoDecimals(perRevision(m, m.status.writes.succeeded, m.status.counts.succeeded)),
    writesPerFailedRevision: m.status.counts.failed === 0 ? null : twoDecimals(perRevision(m, m.status.writes.failed, m.status.counts.failed)),
    writesPerEdit: editCount === 0 ? 0 : twoDecimals(m.edits.writes.controller / editCount),
    writesAtRest: m.rest.writes.controller,
    writesAfterRestart: m.restart.writes.controller,
    writes: {
      creating: m.burst.writes,
      finishing: addWindows(m.status.writes.running, m.status.writes.succeeded, m.status.writes.failed),
      ...m.status.writes,
      edits: m.edits.writes,
      atRest: m.rest.writes,
      afterRestart: m.restart.writes,
    },
    rssMb: m.burst.peakRssMb,
    rss: { peakMb: m.burst.peakRssMb, settledMb: m.rest.rssMb, afterRestartPeakMb: m.restart.peakRssMb, afterRestartSettledMb: m.restart.rssMb },
    cpuMsPerRevision: twoDecimals(m.burst.cpuMs / m.n),
    cpu: { burstMs: Math.round(m.burst.cpuMs), atRestMs: Math.round(m.rest.cpuMs), startupMs: Math.round(m.restart.startupCpuMs) },
    readyMs: Math.round(m.restart.readyMs),
    readyListFloorMs: Math.round(m.restart.listFloor.ms),
    readyEmptyMs: Math.round(m.readyEmptyMs),
    warnings: m.warnings,
  };
}

/** The series of the latency chart. */
export function latencySeries(results: BenchResults): Series[] {
  return [
    { label: 'editToPod', samplesMs: results.editToPod.samplesMs },
    ...KINDS.map((kind) => ({ label: `podToStatus ${kind}`, samplesMs: results.podToStatus.byKind[kind].samplesMs })),
  ];
}

export function reportText(results: BenchResults): string {
  const rows = resultRows(results).map((row) => [row.figure, row.value, row.goal, row.verdict]);
  const lines = [
    `imagespec-controller control-plane benchmark, n=${results.n}, concurrency ${results.options.concurrency}, ${results.startedAt}`,
    '',
    formatTable(['figure', 'value', 'goal', 'verdict'], rows),
  ];
  if (results.warnings.length > 0) lines.push('', ...results.warnings.map((warning) => `warning: ${warning}`));
  return `${lines.join('\n')}\n`;
}
