import type { CircuitBreakerConfig } from '@kairos/contracts';

// A schedule's circuit breaker as a pure state machine (the follow-up persists the state with the
// schedule's cursor in each firing batch, and the API shows it).
//
//   closed ──K consecutive failed ticks──► open ──cool-down elapsed, next tick──► half_open (that tick is the trial)
//     ▲                                     ▲                                        │
//     └──────────── trial succeeded ────────┼──────────── trial failed ──────────────┘
//
// While open, and while half-open with the trial still running, ticks are skipped ("circuit_open").

export type BreakerState =
  | { readonly status: 'closed'; readonly consecutiveFailures: number }
  | { readonly status: 'open'; readonly consecutiveFailures: number; readonly openedAtMs: number }
  | { readonly status: 'half_open'; readonly consecutiveFailures: number; readonly trialTickKey: string };

export const CLOSED_BREAKER: BreakerState = { status: 'closed', consecutiveFailures: 0 };

export type BreakerAdmission =
  | { readonly admitted: true; readonly trial: boolean; readonly next: BreakerState }
  | { readonly admitted: false; readonly detail: string; readonly next: BreakerState };

/**
 * Whether a tick due at `atMs` may fire. `next` is the state to keep *if the tick does fire*: an
 * admitted trial moves open → half_open; a caller that ends up not firing (another rule skipped the
 * tick) keeps the old state, so a trial is never spent on a tick that did not run.
 */
export function admitTick(state: BreakerState, config: CircuitBreakerConfig | undefined, tickKey: string, atMs: number): BreakerAdmission {
  if (config === undefined) return { admitted: true, trial: false, next: state };
  switch (state.status) {
    case 'closed':
      return { admitted: true, trial: false, next: state };
    case 'open': {
      const reopensAt = state.openedAtMs + config.cooldownMs;
      if (atMs >= reopensAt) return { admitted: true, trial: true, next: { status: 'half_open', consecutiveFailures: state.consecutiveFailures, trialTickKey: tickKey } };
      return { admitted: false, detail: `open after ${state.consecutiveFailures} consecutive failures until ${new Date(reopensAt).toISOString()}`, next: state };
    }
    case 'half_open':
      return { admitted: false, detail: `half-open: trial tick ${state.trialTickKey} still running`, next: state };
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** A finished tick's outcome; a cancelled tick (replaced, or by hand) says nothing about health. */
export type BreakerOutcome = 'succeeded' | 'failed' | 'cancelled';

/**
 * Folds a finished tick into the breaker. Closed: a failure counts, a success resets the count, and
 * the K-th consecutive failure opens it at `atMs`. Half-open: the trial's success closes it, its
 * failure (or cancellation) opens it again for another cool-down. Outcomes of ticks fired before the
 * breaker opened (still running under `allow`) do not move an open or half-open breaker.
 */
export function recordTickOutcome(
  state: BreakerState,
  config: CircuitBreakerConfig | undefined,
  tickKey: string,
  outcome: BreakerOutcome,
  atMs: number,
): BreakerState {
  if (config === undefined) return state;
  switch (state.status) {
    case 'closed': {
      if (outcome === 'cancelled') return state;
      if (outcome === 'succeeded') return state.consecutiveFailures === 0 ? state : CLOSED_BREAKER;
      const failures = state.consecutiveFailures + 1;
      return failures >= config.failureThreshold ? { status: 'open', consecutiveFailures: failures, openedAtMs: atMs } : { status: 'closed', consecutiveFailures: failures };
    }
    case 'open':
      return state;
    case 'half_open':
      if (tickKey !== state.trialTickKey) return state;
      return outcome === 'succeeded' ? CLOSED_BREAKER : { status: 'open', consecutiveFailures: state.consecutiveFailures + (outcome === 'failed' ? 1 : 0), openedAtMs: atMs };
    default: {
      const never: never = state;
      return never;
    }
  }
}
