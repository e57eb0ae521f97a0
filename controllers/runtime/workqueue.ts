// A work queue with controller-runtime's contract:
// - a key queued several times before a worker takes it is processed once (de-duplication);
// - a key is never handed to two workers at once: a key added while it is being processed
//   is queued again only when the worker calls done();
// - failures back off per key (exponential, capped), successes forget the backoff;
// - waiting keys are handed out fairly between namespaces (fair-queue.ts).
// It reports what it does to optional metrics, and keeps how long each key has been held by a
// worker, so a stuck reconcile can be told apart from a slow queue.

import { FairQueue } from './fair-queue.ts';

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 200, maxDelayMs: 120_000 };

/** Pure: the delay before the n-th retry (n starts at 0). */
export function backoffDelay(failures: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.min(failures, 30);
  return Math.min(options.baseDelayMs * 2 ** exponent, options.maxDelayMs);
}

/** Where a queue reports its activity (durations in seconds). */
export interface WorkQueueMetrics {
  /** A key entered the queue (a duplicate of a key already waiting does not). */
  added(): void;
  depth(length: number): void;
  /** A key waited this long between entering the queue and being handed to a worker. */
  waited(seconds: number): void;
  /** A worker held a key this long. */
  worked(seconds: number): void;
  /** A key was queued again with its backoff after a failure. */
  retried(): void;
  /** Called once by the queue: reads the keys held by workers whenever the metrics are scraped. */
  readHeld(read: () => ReadonlyArray<HeldKey>): void;
}

export interface HeldKey {
  key: string;
  /** How long a worker has held it. */
  ms: number;
}

export interface WorkQueueOptions {
  metrics?: WorkQueueMetrics;
  /** Monotonic milliseconds (performance.now by default). */
  clock?: () => number;
}

export class WorkQueue {
  private readonly queue = new FairQueue();
  /** Keys waiting to be processed (queued, or to be re-queued when their worker finishes). */
  private readonly dirty = new Set<string>();
  /** Keys held by a worker, with the clock reading when it took them. */
  private readonly processing = new Map<string, number>();
  /** When each waiting key entered the queue. */
  private readonly enqueuedAt = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;
  private completedCount = 0;
  private readonly backoff: BackoffOptions;
  private readonly metrics?: WorkQueueMetrics;
  private readonly clock: () => number;

  constructor(backoff: BackoffOptions = DEFAULT_BACKOFF, options: WorkQueueOptions = {}) {
    this.backoff = backoff;
    this.metrics = options.metrics;
    this.clock = options.clock ?? (() => performance.now());
    this.metrics?.readHeld(() => this.held());
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.enqueuedAt.set(key, this.clock());
    this.metrics?.added();
    if (this.processing.has(key)) return; // done() puts it back
    this.push(key);
  }

  /** Queue the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Queue the key again after its per-key backoff; returns the delay used. */
  addRateLimited(key: string, atLeastMs = 0): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.max(backoffDelay(failures, this.backoff), atLeastMs);
    this.metrics?.retried();
    this.addAfter(key, delay);
    return delay;
  }

  /** Forget the key's failures, so its next retry starts from the base delay. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Resolves with the next key, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.metrics?.depth(this.queue.length);
      return Promise.resolve(this.take(key));
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile it goes back in the queue. */
  done(key: string): void {
    const takenAt = this.processing.get(key);
    if (takenAt === undefined) return;
    this.processing.delete(key);
    this.completedCount++;
    this.metrics?.worked(seconds(this.clock() - takenAt));
    if (this.dirty.has(key)) this.push(key);
  }

  /**
   * Stops handing out keys: workers finish the keys they hold and then get undefined. Keys still
   * waiting are dropped, not drained; reconciles are level-triggered and the next leader lists
   * every object again, so shutting down need not work through a backlog.
   */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Keys processed since the queue was made: a count that moves while the controller works. */
  get completed(): number {
    return this.completedCount;
  }

  get processingCount(): number {
    return this.processing.size;
  }

  /** The keys workers hold now, and for how long. */
  held(): HeldKey[] {
    const now = this.clock();
    return [...this.processing].map(([key, takenAt]) => ({ key, ms: now - takenAt }));
  }

  private take(key: string): string {
    const now = this.clock();
    this.dirty.delete(key);
    this.processing.set(key, now);
    const enqueuedAt = this.enqueuedAt.get(key);
    this.enqueuedAt.delete(key);
    if (enqueuedAt !== undefined) this.metrics?.waited(seconds(now - enqueuedAt));
    return key;
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take(key));
    else {
      this.queue.push(key);
      this.metrics?.depth(this.queue.length);
    }
  }
}

const seconds = (ms: number) => Math.max(0, ms) / 1000;
