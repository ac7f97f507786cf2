import type { Rng } from '../model/clock';
import { SchedulingError } from '../model/errors';

/**
 * How a retry delay is randomised, after "Exponential Backoff And Jitter" (Marc Brooker, AWS
 * Architecture Blog, 2015), with ceiling_n = min(maxDelay, initialDelay · factor^(n−1)) for the
 * retry after the n-th failed attempt and u ~ U[0, 1):
 * - `none`:  ceiling_n (plain capped exponential back-off; every client retries in lock-step);
 * - `full`:  u · ceiling_n, uniform on [0, ceiling_n) ("Full Jitter" in the post);
 * - `equal`: ceiling_n / 2 + u · ceiling_n / 2, uniform on [ceiling_n / 2, ceiling_n) ("Equal
 *   Jitter": half fixed, half random; never retries sooner than half the ceiling).
 */
export const JITTER_KINDS = ['none', 'full', 'equal'] as const;
export type JitterKind = (typeof JITTER_KINDS)[number];

/** The plain data of a retry policy (JSON-serialisable; times in milliseconds). */
export interface RetryPolicySpec {
  /** Ceiling of the delay before the first retry (after attempt 1 failed). */
  readonly initialDelayMs: number;
  /** Each further retry's ceiling is this many times the previous one (≥ 1). */
  readonly backoffFactor: number;
  /** Cap on the ceiling. */
  readonly maxDelayMs: number;
  readonly jitter: JitterKind;
  /** Attempts in all, the first one included (1 = never retry). Lost attempts are not charged. */
  readonly maxAttempts: number;
}

export type RetryPolicyField = keyof RetryPolicySpec;

/** A retry policy that failed validation; `field` names the offending field. */
export class RetryPolicyError extends SchedulingError {
  constructor(
    readonly field: RetryPolicyField | 'attempt',
    reason: string,
  ) {
    super('INVALID_RETRY_POLICY', `retry policy: ${field} ${reason}`);
    this.name = 'RetryPolicyError';
  }
}

/**
 * Attempts of one instance lost with its node or executor (not the task's fault) that are retried
 * without charging `maxAttempts`; one more lost attempt fails the instance. Shared by the live
 * executor (lease expiry, restarted runner) and the simulator (node loss).
 */
export const MAX_LOST_ATTEMPTS = 3;

/**
 * One retry policy for every component that retries (executor, simulator, workflow advancer, bus
 * handlers): validated plain data plus `delayFor`. Shaped after Temporal's RetryPolicy
 * (initialInterval, backoffCoefficient, maximumInterval, maximumAttempts), with the jitter named.
 */
export class RetryPolicy implements RetryPolicySpec {
  readonly initialDelayMs: number;
  readonly backoffFactor: number;
  readonly maxDelayMs: number;
  readonly jitter: JitterKind;
  readonly maxAttempts: number;

  private constructor(s: RetryPolicySpec) {
    this.initialDelayMs = s.initialDelayMs;
    this.backoffFactor = s.backoffFactor;
    this.maxDelayMs = s.maxDelayMs;
    this.jitter = s.jitter;
    this.maxAttempts = s.maxAttempts;
    Object.freeze(this);
  }

  /** Validates `spec` (unknown input is fine: a config file, JSON); throws RetryPolicyError naming the field. */
  static of(spec: RetryPolicySpec): RetryPolicy {
    const s = spec as unknown as Record<string, unknown>;
    const num = (f: RetryPolicyField, min: number): number => {
      const v = s[f];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RetryPolicyError(f, `must be a finite number, got ${String(v)}`);
      if (v < min) throw new RetryPolicyError(f, `must be ≥ ${min}, got ${v}`);
      return v;
    };
    const initialDelayMs = num('initialDelayMs', 0);
    const backoffFactor = num('backoffFactor', 1);
    const maxDelayMs = num('maxDelayMs', 0);
    if (maxDelayMs < initialDelayMs) throw new RetryPolicyError('maxDelayMs', `must be ≥ initialDelayMs (${initialDelayMs}), got ${maxDelayMs}`);
    const maxAttempts = num('maxAttempts', 1);
    if (!Number.isInteger(maxAttempts)) throw new RetryPolicyError('maxAttempts', `must be an integer, got ${maxAttempts}`);
    const jitter = s['jitter'];
    if (typeof jitter !== 'string' || !(JITTER_KINDS as readonly string[]).includes(jitter)) {
      throw new RetryPolicyError('jitter', `must be one of ${JITTER_KINDS.join(', ')}, got ${String(jitter)}`);
    }
    return new RetryPolicy({ initialDelayMs, backoffFactor, maxDelayMs, jitter: jitter as JitterKind, maxAttempts });
  }

  /** A copy with some fields replaced (validated again). */
  with(changes: Partial<RetryPolicySpec>): RetryPolicy {
    return RetryPolicy.of({ ...this.toJSON(), ...changes });
  }

  /** Ceiling of the delay after the `attempt`-th failed attempt: min(maxDelay, initialDelay · factor^(attempt−1)). */
  ceilingFor(attempt: number): number {
    if (!Number.isInteger(attempt) || attempt < 1) throw new RetryPolicyError('attempt', `must be an integer ≥ 1, got ${attempt}`);
    // factor^(n−1) overflows to Infinity for large n; min() then gives the cap, as intended.
    return Math.min(this.maxDelayMs, this.initialDelayMs * Math.pow(this.backoffFactor, attempt - 1));
  }

  /** Delay in ms before retrying after the `attempt`-th (1-based) failed attempt, for a draw u ∈ [0, 1). */
  delayForUniform(attempt: number, u: number): number {
    const c = this.ceilingFor(attempt);
    const r = Math.min(Math.max(u, 0), 1);
    switch (this.jitter) {
      case 'none':
        return c;
      case 'full':
        return r * c;
      case 'equal':
        return c / 2 + (r * c) / 2;
    }
  }

  /** Delay in ms before retrying after the `attempt`-th failed attempt; draws one number from `rng`. */
  delayFor(attempt: number, rng: Rng): number {
    return this.delayForUniform(attempt, this.jitter === 'none' ? 0 : rng.next());
  }

  /** Whether an instance that has been charged `chargedAttempts` failed attempts may run again. */
  allowsRetryAfter(chargedAttempts: number): boolean {
    return chargedAttempts < this.maxAttempts;
  }

  /** `(attempt) => delay ms`, the shape libs/bus's `retryDelayMs` option takes. */
  delayFunction(rng: Rng): (attempt: number) => number {
    return (attempt) => this.delayFor(Math.max(1, Math.floor(attempt)), rng);
  }

  toJSON(): RetryPolicySpec {
    return { initialDelayMs: this.initialDelayMs, backoffFactor: this.backoffFactor, maxDelayMs: this.maxDelayMs, jitter: this.jitter, maxAttempts: this.maxAttempts };
  }
}

/**
 * The default for task instances, live and simulated: Temporal's defaults (1 s initial interval,
 * coefficient 2, maximum interval 100 × initial) with equal jitter — half the ceiling fixed, half
 * uniform, so a retry never comes sooner than half its back-off (full jitter can retry a failing task
 * at once, which users read as "no back-off") — and 4 attempts in all (3 retries).
 * The live executor takes the delays from here; its attempt budget is each task's own `maxAttempts`
 * (set at submission), which the simulator's `maxAttempts` stands in for.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = RetryPolicy.of({
  initialDelayMs: 1000,
  backoffFactor: 2,
  maxDelayMs: 100_000,
  jitter: 'equal',
  maxAttempts: 4,
});

/**
 * For message-handler retries inside one delivery (libs/bus): today's bus schedule
 * min(1 s, 10 ms · 2^attempt) = 20 ms, 40 ms, … capped at 1 s, 5 attempts, with full jitter added.
 * Not wired into libs/bus yet (`retryDelayMs: BUS_HANDLER_RETRY_POLICY.delayFunction(rng)`).
 */
export const BUS_HANDLER_RETRY_POLICY: RetryPolicy = RetryPolicy.of({
  initialDelayMs: 20,
  backoffFactor: 2,
  maxDelayMs: 1000,
  jitter: 'full',
  maxAttempts: 5,
});
