// Liveness of the workers: a reconcile that has run far longer than any API call should take is
// stuck (a hung request, a lost promise), and only a restart frees its worker and its key.
import type { HeldKey } from './workqueue.ts';

export interface Liveness {
  ok: boolean;
  detail?: string;
}

/** A controller's queue, read for the keys its workers hold. */
export interface HeldKeys {
  controller: string;
  held(): ReadonlyArray<HeldKey>;
}

/** Reconciles only make API calls, each bounded by seconds; ten minutes means stuck. */
export const STUCK_RECONCILE_MS = 10 * 60_000;

export function workersLiveness(queues: ReadonlyArray<HeldKeys>, stuckAfterMs = STUCK_RECONCILE_MS): Liveness {
  const stuck = queues.flatMap(({ controller, held }) =>
    held()
      .filter((entry) => entry.ms > stuckAfterMs)
      .map((entry) => `${controller} ${entry.key} for ${Math.round(entry.ms / 1000)} s`),
  );
  if (stuck.length === 0) return { ok: true };
  return { ok: false, detail: `Reconciles running longer than ${Math.round(stuckAfterMs / 1000)} s: ${stuck.join(', ')}` };
}
