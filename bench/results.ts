// The figures one run produces, as written to bench/results/<timestamp>.json.
import type { BenchOptions } from './args.ts';
import type { LatencySummary } from './percentiles.ts';
import type { WindowWrites } from './writes.ts';

/** A latency distribution: its summary and every sample, in the order measured. */
export interface Latencies extends LatencySummary {
  samplesMs: number[];
}

export type StatusKind = 'Running' | 'Succeeded' | 'Failed';

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  n: number;
  convergence: {
    /** From the first ImageSpec create to the last build Pod's ADDED event. */
    controllerMs: number;
    /** The same client creating each revision's ImageSpecJob and Pod itself. */
    floorMs: number;
    ratio: number;
  };
  /** From an edit's write response to its new build Pod's ADDED event. */
  editToPod: Latencies;
  /** From a Pod status write's response to the ImageSpec watch showing the phase it implies. */
  podToStatus: Latencies & { byKind: Record<StatusKind, Latencies> };
  writesPerRevisionCreating: number;
  /** A revision that succeeds, from create to Succeeded. */
  writesPerRevision: number;
  /** A revision that fails (its push), from create to Failed; null when none failed. */
  writesPerFailedRevision: number | null;
  writesPerEdit: number;
  writesAtRest: number;
  writesAfterRestart: number;
  writes: Record<'creating' | 'finishing' | 'running' | 'succeeded' | 'failed' | 'edits' | 'atRest' | 'afterRestart', WindowWrites>;
  /** The peak while creating and finishing builds (sampled every 500 ms). */
  rssMb: number;
  rss: { peakMb: number; settledMb: number; afterRestartPeakMb: number; afterRestartSettledMb: number };
  cpuMsPerRevision: number;
  /** burstMs: creating n revisions; atRestMs: the rest window; startupMs: the restarted process until ready. */
  cpu: { burstMs: number; atRestMs: number; startupMs: number };
  /** From spawning the controller to /readyz 200 with n ImageSpecs (the restart). */
  readyMs: number;
  /** The API server's part of it: the benchmark's client making the same lists (list-floor.ts). */
  readyListFloorMs: number;
  /** The same, on an empty namespace (the first start). */
  readyEmptyMs: number;
  /** Conditions that may have skewed the figures. */
  warnings: string[];
}
