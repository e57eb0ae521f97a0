// Elapsed time per key on a monotonic clock, for a duration that starts in one reconcile and
// ends in another (wall-clock timestamps would jump with the system clock). Bounded: when more
// than `limit` keys are running, the oldest is dropped, so keys that never stop cannot pile up.
export class Stopwatches {
  private readonly started = new Map<string, number>();
  private readonly limit: number;
  private readonly clock: () => number;

  constructor(options: { limit?: number; clock?: () => number } = {}) {
    this.limit = options.limit ?? 10_000;
    this.clock = options.clock ?? (() => performance.now());
  }

  /** Starts the key's stopwatch; one already running keeps its earlier start. */
  start(key: string): void {
    if (this.started.has(key)) return;
    this.started.set(key, this.clock());
    if (this.started.size > this.limit) {
      const oldest = this.started.keys().next().value;
      if (oldest !== undefined) this.started.delete(oldest);
    }
  }

  /** Seconds since the key was started, or undefined when it was not; the key stops. */
  stop(key: string): number | undefined {
    const startedAt = this.started.get(key);
    if (startedAt === undefined) return undefined;
    this.started.delete(key);
    return Math.max(0, this.clock() - startedAt) / 1000;
  }

  cancel(key: string): void {
    this.started.delete(key);
  }

  get size(): number {
    return this.started.size;
  }
}
