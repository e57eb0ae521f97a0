// Runs reconciles for keys taken from a work queue: level-triggered, one key at a time per
// key, transient failures retried with the key's backoff, successes forgetting it.
import type { Logger } from './logger.ts';
import { describeError } from './informer.ts';
import { isConflict } from './errors.ts';
import type { WorkQueue } from './workqueue.ts';

export interface ReconcileResult {
  /** Reconcile again after this delay even without an event (e.g. waiting on something unwatched). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | void>;

export interface WorkerOptions {
  kind: string;
  queue: WorkQueue;
  reconcile: Reconciler;
  workers: number;
  log: Logger;
}

async function processNext(options: WorkerOptions): Promise<boolean> {
  const { queue, reconcile, log, kind } = options;
  const key = await queue.get();
  if (key === undefined) return false;
  try {
    const result = await reconcile(key);
    queue.forget(key);
    if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
  } catch (error) {
    const delayMs = queue.addRateLimited(key);
    // A conflict only means our cache was behind; the retry reads the newer object.
    const level = isConflict(error) ? 'debug' : 'error';
    log.log(level, `Could not reconcile ${kind}`, { key, error: describeError(error), retryInMs: delayMs });
  } finally {
    queue.done(key);
  }
  return true;
}

/** Starts `workers` loops; the returned promise settles when the queue is shut down. */
export async function runWorkers(options: WorkerOptions): Promise<void> {
  const loop = async () => {
    while (await processNext(options)) {
      // keep taking keys
    }
  };
  await Promise.all(Array.from({ length: options.workers }, loop));
}
