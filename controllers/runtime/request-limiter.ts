// Client-side rate limit of API requests, as client-go's (QPS and burst): a burst of work (thousands
// of ImageSpecs created at once) is spread at a steady rate instead of landing on the API server
// all at once, where priority and fairness would answer 429 to this and to other clients.
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenBuckets } from './tokenbucket.ts';

export interface RequestLimit {
  /** Requests per second on average; 0: no limit. */
  qps: number;
  /** Requests that may go at once after a quiet moment. */
  burst: number;
}

const KEY = 'api';

export class RequestLimiter {
  private readonly buckets: TokenBuckets | undefined;
  private readonly clock: () => number;
  /** Requests that had to wait for a token, and for how long in all (ms). */
  throttled = 0;
  throttledMs = 0;

  constructor(limit: RequestLimit, clock: () => number = () => performance.now()) {
    this.clock = clock;
    this.buckets = limit.qps > 0 ? new TokenBuckets({ burst: Math.max(1, limit.burst), refillEveryMs: 1000 / limit.qps }) : undefined;
  }

  /** Resolves when a request may go. */
  async wait(): Promise<void> {
    if (!this.buckets) return;
    const startedAt = this.clock();
    let waited = false;
    for (;;) {
      const now = this.clock();
      if (this.buckets.take(KEY, now)) break;
      waited = true;
      await sleep(Math.max(1, this.buckets.nextTokenAt(KEY, now) - now));
    }
    if (waited) {
      this.throttled += 1;
      this.throttledMs += this.clock() - startedAt;
    }
  }
}
