// Token buckets keyed by name, on a clock the caller passes in: `burst` tokens at most, one more
// every `refillEveryMs`. A full bucket is forgotten, so idle keys cost no memory.
export interface TokenBucketOptions {
  burst: number;
  refillEveryMs: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  atMs: number;
}

export class TokenBuckets {
  private readonly burst: number;
  private readonly refillEveryMs: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    this.burst = Math.max(1, options.burst);
    this.refillEveryMs = Math.max(1, options.refillEveryMs);
  }

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string, nowMs: number): boolean {
    const bucket = this.current(key, nowMs);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return true;
  }

  /** The earliest time `take(key)` can succeed (`nowMs` when it can now). */
  nextTokenAt(key: string, nowMs: number): number {
    const bucket = this.current(key, nowMs);
    return bucket.tokens >= 1 ? nowMs : bucket.atMs + this.refillEveryMs;
  }

  /** Forgets buckets that have refilled completely. */
  prune(nowMs: number): void {
    for (const key of [...this.buckets.keys()]) {
      if (this.current(key, nowMs).tokens >= this.burst) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  private current(key: string, nowMs: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.burst, atMs: nowMs };
    const refills = Math.floor(Math.max(0, nowMs - bucket.atMs) / this.refillEveryMs);
    if (refills > 0) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + refills);
      // Partial progress towards the next token is kept, unless the bucket is full.
      bucket.atMs = bucket.tokens >= this.burst ? nowMs : bucket.atMs + refills * this.refillEveryMs;
    }
    return bucket;
  }
}
