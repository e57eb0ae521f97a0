// The goals of issue 11 beside each figure: printed as met or not met, never asserted.
import type { BenchResults, Latencies, StatusKind } from './results.ts';

export type Verdict = 'met' | 'not met' | 'n/a' | '';

export interface Row {
  figure: string;
  value: string;
  goal: string;
  verdict: Verdict;
}

/** The size the memory goal is stated for: below it a low figure proves nothing. */
export const RSS_GOAL_N = 5000;

const ms = (value: number | null) => (value === null ? '-' : `${Math.round(value)} ms`);
const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
const count = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

function atMost(value: number | null, limit: number): Verdict {
  if (value === null || Number.isNaN(value)) return 'n/a';
  return value <= limit ? 'met' : 'not met';
}

function rssVerdict(peakMb: number, n: number, limitMb: number): Verdict {
  if (peakMb > limitMb) return 'not met';
  return n >= RSS_GOAL_N ? 'met' : 'n/a';
}

function latencyRows(name: string, latencies: Latencies): Row[] {
  return [
    { figure: `${name} p50`, value: ms(latencies.p50Ms), goal: '<= 50 ms', verdict: atMost(latencies.p50Ms, 50) },
    { figure: `${name} p99`, value: ms(latencies.p99Ms), goal: '<= 250 ms', verdict: atMost(latencies.p99Ms, 250) },
  ];
}

function detailRow(name: string, latencies: Latencies): Row {
  return { figure: `  ${name} (${latencies.count})`, value: `p50 ${ms(latencies.p50Ms)}, p99 ${ms(latencies.p99Ms)}, max ${ms(latencies.maxMs)}`, goal: '', verdict: '' };
}

/** No goal: a failure also tells a Warning Event. */
function failedRevisionRow(writes: number): Row {
  return { figure: 'writes per revision, to Failed', value: count(writes), goal: '', verdict: '' };
}

export function resultRows(results: BenchResults): Row[] {
  const { convergence, rss } = results;
  const kinds: StatusKind[] = ['Running', 'Succeeded', 'Failed'];
  return [
    { figure: `convergence, controller (n=${results.n})`, value: seconds(convergence.controllerMs), goal: '', verdict: '' },
    { figure: 'convergence, floor', value: seconds(convergence.floorMs), goal: '', verdict: '' },
    { figure: 'convergence ratio', value: convergence.ratio.toFixed(2), goal: '<= 1.3', verdict: atMost(convergence.ratio, 1.3) },
    ...latencyRows(`editToPod (${results.editToPod.count})`, results.editToPod),
    ...latencyRows(`podToStatus (${results.podToStatus.count})`, results.podToStatus),
    ...kinds.map((kind) => detailRow(kind, results.podToStatus.byKind[kind])),
    { figure: 'writes per revision, creating', value: count(results.writesPerRevisionCreating), goal: '<= 5', verdict: atMost(results.writesPerRevisionCreating, 5) },
    { figure: 'writes per revision, to Succeeded', value: count(results.writesPerRevision), goal: '<= 8', verdict: atMost(results.writesPerRevision, 8) },
    ...(results.writesPerFailedRevision === null ? [] : [failedRevisionRow(results.writesPerFailedRevision)]),
    { figure: 'writes per edit', value: count(results.writesPerEdit), goal: '', verdict: '' },
    { figure: `writes at rest (${results.options.restSeconds} s)`, value: count(results.writesAtRest), goal: '0', verdict: atMost(results.writesAtRest, 0) },
    { figure: `writes after restart (${results.options.restSeconds} s)`, value: count(results.writesAfterRestart), goal: '0', verdict: atMost(results.writesAfterRestart, 0) },
    { figure: 'RSS, peak', value: `${rss.peakMb} MB`, goal: `<= 150 MB at n=${RSS_GOAL_N}`, verdict: rssVerdict(rss.peakMb, results.n, 150) },
    { figure: 'RSS, settled', value: `${rss.settledMb} MB`, goal: '', verdict: '' },
    { figure: 'RSS after restart, peak / settled', value: `${rss.afterRestartPeakMb} / ${rss.afterRestartSettledMb} MB`, goal: '', verdict: '' },
    { figure: 'CPU per revision (creating)', value: `${results.cpuMsPerRevision.toFixed(2)} ms`, goal: '<= 5 ms', verdict: atMost(results.cpuMsPerRevision, 5) },
    { figure: `ready with ${results.n} ImageSpecs`, value: ms(results.readyMs), goal: '<= 500 ms', verdict: atMost(results.readyMs, 500) },
    { figure: '... its list floor (the same lists, a running client)', value: ms(results.readyListFloorMs), goal: '', verdict: '' },
    { figure: 'ready, empty namespace', value: ms(results.readyEmptyMs), goal: '', verdict: '' },
  ];
}
