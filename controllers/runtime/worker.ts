// Runs reconciles for keys taken from a work queue: level-triggered, one key at a time per
// key, transient failures retried with the key's backoff, successes forgetting it.
import type { Logger } from './logger.ts';
import { describeError } from './informer.ts';
import { isConflict, retryAfterMs } from './errors.ts';
import type { WorkQueue } from './workqueue.ts';

export interface ReconcileResult {
  /** Reconcile again after this delay even without an event (e.g. waiting on something unwatched). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | void>;

/** How a reconcile ended, in controller-runtime's terms. */
export type ReconcileOutcome = 'success' | 'error' | 'requeue' | 'requeue_after';

/** Where the workers report their reconciles (durations in seconds). */
export interface ReconcileMetrics {
  /** The number of workers started for this controller. */
  workers(count: number): void;
  started(): void;
  finished(outcome: ReconcileOutcome, seconds: number): void;
}

export interface WorkerOptions {
  kind: string;
  queue: WorkQueue;
  reconcile: Reconciler;
  workers: number;
  log: Logger;
  metrics?: ReconcileMetrics;
  /** Monotonic milliseconds (performance.now by default). */
  clock?: () => number;
}

export function outcomeOf(result: ReconcileResult | void): ReconcileOutcome {
  if (result?.requeueAfterMs === undefined) return 'success';
  return result.requeueAfterMs > 0 ? 'requeue_after' : 'requeue';
}

async function processNext(options: WorkerOptions): Promise<boolean> {
  const { queue, reconcile, log, kind, metrics } = options;
  const clock = options.clock ?? (() => performance.now());
  const key = await queue.get();
  if (key === undefined) return false;
  const startedAt = clock();
  let outcome: ReconcileOutcome = 'error';
  metrics?.started();
  try {
    const result = await reconcile(key);
    outcome = outcomeOf(result);
    queue.forget(key);
    if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
  } catch (error) {
    // A 429 says when to come back (Retry-After): never sooner than that.
    const retryAfter = retryAfterMs(error);
    const delayMs = queue.addRateLimited(key, retryAfter);
    // A conflict only means our cache was behind; the retry reads the newer object. A 429 is the
    // API server protecting itself, not a fault of this key.
    const level = isConflict(error) ? 'debug' : retryAfter !== undefined ? 'warn' : 'error';
    log.log(level, `Could not reconcile ${kind}`, { key, error: describeError(error), retryInMs: delayMs });
  } finally {
    queue.done(key);
    metrics?.finished(outcome, Math.max(0, clock() - startedAt) / 1000);
  }
  return true;
}

/** Starts `workers` loops; the returned promise settles when the queue is shut down. */
export async function runWorkers(options: WorkerOptions): Promise<void> {
  options.metrics?.workers(options.workers);
  const loop = async () => {
    while (await processNext(options)) {
      // keep taking keys
    }
  };
  await Promise.all(Array.from({ length: options.workers }, loop));
}
