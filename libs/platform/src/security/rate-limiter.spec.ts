import { RateLimiterError, TokenBucketLimiter } from './rate-limiter';

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('TokenBucketLimiter', () => {
  it('allows a burst, then one request per 1/rate seconds, with Retry-After rounded up', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ ratePerSec: 2, burst: 3, maxBuckets: 10, now: c.now });
    expect([1, 2, 3].map(() => l.take('k'))).toEqual([
      { allowed: true, remaining: 2 },
      { allowed: true, remaining: 1 },
      { allowed: true, remaining: 0 },
    ]);
    expect(l.take('k')).toEqual({ allowed: false, retryAfterSec: 1 }); // needs 0.5 s → 1 s
    c.advance(499);
    expect(l.take('k').allowed).toBe(false);
    c.advance(1);
    expect(l.take('k')).toEqual({ allowed: true, remaining: 0 });
    c.advance(10_000); // refill caps at burst
    expect(l.take('k')).toEqual({ allowed: true, remaining: 2 });
  });

  it('keeps keys apart', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ ratePerSec: 1, burst: 1, maxBuckets: 10, now: c.now });
    expect(l.take('a').allowed).toBe(true);
    expect(l.take('a').allowed).toBe(false);
    expect(l.take('b').allowed).toBe(true);
  });

  it('says how long a slow rate must wait', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ ratePerSec: 0.1, burst: 1, maxBuckets: 10, now: c.now });
    l.take('k');
    expect(l.take('k')).toEqual({ allowed: false, retryAfterSec: 10 });
    c.advance(2_500);
    expect(l.take('k')).toEqual({ allowed: false, retryAfterSec: 8 }); // 7.5 s left → 8
  });

  it('bounds memory: the least recently used bucket goes first', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ ratePerSec: 1, burst: 1, maxBuckets: 2, now: c.now });
    l.take('a');
    l.take('b');
    l.take('a'); // a is now the most recent (and drained)
    l.take('c'); // evicts b
    expect(l.size).toBe(2);
    expect(l.take('a').allowed).toBe(false); // still remembered
    expect(l.take('b').allowed).toBe(true); // forgotten: a fresh bucket
  });

  it('rate 0 turns limiting off', () => {
    const l = new TokenBucketLimiter({ ratePerSec: 0, burst: 1, maxBuckets: 1, now: () => 0 });
    for (let i = 0; i < 100; i++) expect(l.take('k').allowed).toBe(true);
    expect(l.size).toBe(0);
  });

  it('refuses invalid options and a cost above the burst', () => {
    expect(() => new TokenBucketLimiter({ ratePerSec: -1, burst: 1, maxBuckets: 1, now: () => 0 })).toThrow(RateLimiterError);
    expect(() => new TokenBucketLimiter({ ratePerSec: 1, burst: 0, maxBuckets: 1, now: () => 0 })).toThrow('burst must be an integer ≥ 1 (got 0)');
    const l = new TokenBucketLimiter({ ratePerSec: 1, burst: 2, maxBuckets: 1, now: () => 0 });
    expect(() => l.take('k', 3)).toThrow('cost must be in (0, burst=2] (got 3)');
  });

  it('a clock going backwards does not mint tokens', () => {
    const c = clock();
    const l = new TokenBucketLimiter({ ratePerSec: 1, burst: 1, maxBuckets: 10, now: c.now });
    l.take('k');
    c.advance(-5_000);
    expect(l.take('k').allowed).toBe(false);
  });
});
