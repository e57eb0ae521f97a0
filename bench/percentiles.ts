// Latency summaries: nearest-rank percentiles, so a figure is always a latency that was measured.

export interface LatencySummary {
  count: number;
  /** null when nothing was measured. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** The nearest-rank `p`th percentile (0 < p <= 100) of `values`; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function summarize(values: readonly number[]): LatencySummary {
  const at = (p: number) => {
    const value = percentile(values, p);
    return value === undefined ? null : Math.round(value);
  };
  return { count: values.length, p50Ms: at(50), p99Ms: at(99), maxMs: at(100) };
}
