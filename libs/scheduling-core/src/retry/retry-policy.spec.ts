import { seededRng, type Rng } from '../model/clock';
import { BUS_HANDLER_RETRY_POLICY, DEFAULT_RETRY_POLICY, RetryPolicy, RetryPolicyError, type RetryPolicySpec } from './retry-policy';

const spec = (o: Partial<RetryPolicySpec> = {}): RetryPolicySpec => ({ initialDelayMs: 100, backoffFactor: 3, maxDelayMs: 2000, jitter: 'full', maxAttempts: 4, ...o });
const fixed = (u: number): Rng => ({ next: () => u });

describe('RetryPolicy', () => {
  // Hand computations: ceiling_n = min(2000, 100 · 3^(n−1)) = 100, 300, 900, 2000 (2700 capped), 2000.
  it.each([
    // jitter, attempt, u, expected delay (ms)
    ['none', 1, 0.7, 100],
    ['none', 3, 0.7, 900],
    ['none', 4, 0.7, 2000],
    ['full', 1, 0, 0],
    ['full', 1, 0.5, 50],
    ['full', 2, 0.25, 75],
    ['full', 3, 0.999, 899.1],
    ['full', 5, 0.5, 1000],
    ['equal', 1, 0, 50],
    ['equal', 1, 0.5, 75],
    ['equal', 2, 0.999, 150 + 149.85],
    ['equal', 4, 0, 1000],
    ['equal', 4, 0.5, 1500],
  ] as const)('%s jitter, attempt %d, u = %d → %d ms', (jitter, attempt, u, expected) => {
    const p = RetryPolicy.of(spec({ jitter }));
    expect(p.delayFor(attempt, fixed(u))).toBeCloseTo(expected, 9);
    expect(p.delayForUniform(attempt, u)).toBeCloseTo(expected, 9);
  });

  it('full jitter is uniform on [0, ceiling): sample mean ≈ ceiling / 2, never ≥ ceiling', () => {
    const p = RetryPolicy.of(spec({ jitter: 'full' }));
    const rng = seededRng(3);
    let sum = 0;
    let max = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const d = p.delayFor(3, rng);
      sum += d;
      max = Math.max(max, d);
    }
    expect(sum / n).toBeCloseTo(450, -1); // 900 / 2, ± 5
    expect(max).toBeLessThan(900);
  });

  it('equal jitter stays within [ceiling / 2, ceiling)', () => {
    const p = RetryPolicy.of(spec({ jitter: 'equal' }));
    const rng = seededRng(4);
    for (let i = 0; i < 1000; i++) {
      const d = p.delayFor(2, rng);
      expect(d).toBeGreaterThanOrEqual(150);
      expect(d).toBeLessThan(300);
    }
  });

  it('a huge attempt number gives the cap, not Infinity or NaN', () => {
    expect(RetryPolicy.of(spec({ jitter: 'none' })).delayFor(10_000, fixed(0))).toBe(2000);
  });

  it('counts attempts against maxAttempts (the first attempt included)', () => {
    const p = RetryPolicy.of(spec({ maxAttempts: 3 }));
    expect([0, 1, 2, 3].map((n) => p.allowsRetryAfter(n))).toEqual([true, true, true, false]);
  });

  it.each([
    ['initialDelayMs', { initialDelayMs: -1 }],
    ['initialDelayMs', { initialDelayMs: Number.NaN }],
    ['backoffFactor', { backoffFactor: 0.5 }],
    ['maxDelayMs', { maxDelayMs: 50 }],
    ['maxAttempts', { maxAttempts: 0 }],
    ['maxAttempts', { maxAttempts: 2.5 }],
    ['jitter', { jitter: 'decorrelated' }],
  ] as const)('rejects a bad %s with a typed error naming the field', (field, change) => {
    let err: unknown;
    try {
      RetryPolicy.of({ ...spec(), ...(change as unknown as Partial<RetryPolicySpec>) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RetryPolicyError);
    expect((err as RetryPolicyError).field).toBe(field);
    expect((err as RetryPolicyError).code).toBe('INVALID_RETRY_POLICY');
    expect((err as RetryPolicyError).message).toContain(field);
  });

  it('rejects attempt numbers below 1', () => {
    expect(() => DEFAULT_RETRY_POLICY.delayFor(0, fixed(0.5))).toThrow(RetryPolicyError);
  });

  it('is frozen plain data that round-trips through JSON', () => {
    const p = RetryPolicy.of(spec());
    expect(Object.isFrozen(p)).toBe(true);
    expect(RetryPolicy.of(JSON.parse(JSON.stringify(p)) as RetryPolicySpec)).toEqual(p);
    expect(p.with({ jitter: 'none' }).jitter).toBe('none');
  });

  it('defaults: 1 s, ×2, cap 100 s, full jitter, 4 attempts; the bus schedule 20 ms … 1 s', () => {
    expect(DEFAULT_RETRY_POLICY.toJSON()).toEqual({ initialDelayMs: 1000, backoffFactor: 2, maxDelayMs: 100_000, jitter: 'equal', maxAttempts: 4 });
    expect([1, 2, 3, 8].map((n) => DEFAULT_RETRY_POLICY.ceilingFor(n))).toEqual([1000, 2000, 4000, 100_000]);
    const busDelay = BUS_HANDLER_RETRY_POLICY.delayFunction(fixed(0.5));
    expect([1, 2, 6, 7].map(busDelay)).toEqual([10, 20, 320, 500]); // ceilings 20, 40, 640, 1000 (capped) × 0.5
  });
});
