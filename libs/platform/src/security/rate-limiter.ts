import { DomainError } from '../domain-error';

/**
 * Token bucket per key: `ratePerSec` tokens refill continuously up to `burst`; a request takes one
 * (or `cost`). Pure apart from the injected clock. Memory is bounded: at most `maxBuckets` buckets, the
 * least recently used dropped first. Dropping a bucket hands its key a full one, which is exactly its
 * state after `burst / ratePerSec` seconds idle anyway; only a key evicted while still drained gets a
 * head start, so size maxBuckets above the number of keys active within that refill time.
 */
export interface TokenBucketOptions {
  /** Tokens per second; 0 turns limiting off. */
  ratePerSec: number;
  /** Bucket size: requests allowed at once after a pause. */
  burst: number;
  maxBuckets: number;
  /** Milliseconds (Date.now in production, a fake clock in tests). */
  now: () => number;
}

export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSec: number };

export class RateLimiterError extends DomainError<'RATE_LIMIT_OPTIONS_INVALID'> {
  readonly code = 'RATE_LIMIT_OPTIONS_INVALID' as const;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly opts: TokenBucketOptions) {
    if (!(opts.ratePerSec >= 0) || !Number.isFinite(opts.ratePerSec)) throw new RateLimiterError(`ratePerSec must be a finite number ≥ 0 (got ${opts.ratePerSec})`);
    if (!Number.isInteger(opts.burst) || opts.burst < 1) throw new RateLimiterError(`burst must be an integer ≥ 1 (got ${opts.burst})`);
    if (!Number.isInteger(opts.maxBuckets) || opts.maxBuckets < 1) throw new RateLimiterError(`maxBuckets must be an integer ≥ 1 (got ${opts.maxBuckets})`);
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string, cost = 1): RateDecision {
    const { ratePerSec, burst, maxBuckets, now } = this.opts;
    if (ratePerSec === 0) return { allowed: true, remaining: burst };
    if (!(cost > 0 && cost <= burst)) throw new RateLimiterError(`cost must be in (0, burst=${burst}] (got ${cost})`);
    const t = now();
    const prior = this.buckets.get(key);
    const tokens = prior ? Math.min(burst, prior.tokens + (Math.max(0, t - prior.atMs) / 1000) * ratePerSec) : burst;
    // Re-insert so Map order is least recently used first.
    this.buckets.delete(key);
    if (tokens >= cost) {
      this.buckets.set(key, { tokens: tokens - cost, atMs: t });
      this.evict(maxBuckets);
      return { allowed: true, remaining: Math.floor(tokens - cost) };
    }
    this.buckets.set(key, { tokens, atMs: t });
    this.evict(maxBuckets);
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((cost - tokens) / ratePerSec)) };
  }

  private evict(max: number): void {
    while (this.buckets.size > max) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }
}
