import { DomainError } from '@kairos/platform';
import type { AttemptOutcomeKind, TaskStatus } from '@kairos/contracts';
import { DEFAULT_RETRY_POLICY, MAX_LOST_ATTEMPTS, type RetryPolicy } from '@kairos/scheduling-core';

/**
 * The one place task transitions are defined. Every status change in the executor goes through
 * `assertTransition`; the SQL that performs it also guards on the expected current status, so a
 * stale writer (a fenced-off executor) changes nothing.
 */
const ALLOWED: Record<TaskStatus, readonly TaskStatus[]> = {
  queued: ['running', 'cancelled', 'upstream_failed'],
  running: ['succeeded', 'failed', 'timed_out', 'oom_killed', 'cancelled', 'queued'],
  succeeded: [],
  failed: [],
  cancelled: [],
  timed_out: [],
  upstream_failed: [],
  oom_killed: [],
};

export class IllegalTransitionError extends DomainError<'ILLEGAL_TRANSITION'> {
  readonly code = 'ILLEGAL_TRANSITION' as const;
}

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(taskId: string, from: TaskStatus, to: TaskStatus): void {
  if (!canTransition(from, to)) {
    throw new IllegalTransitionError(`task ${taskId}: illegal transition ${from} → ${to}`, { taskId, from, to });
  }
}

/**
 * Delay (whole ms) before the retry after the `attempt`-th failed attempt, for a draw `random` in
 * [0, 1): the one retry policy the simulator uses too (libs/scheduling-core `DEFAULT_RETRY_POLICY`:
 * 1 s × 2^(attempt−1) capped at 100 s, equal jitter, i.e. uniform on [ceiling/2, ceiling)). Until 2026-11 this
 * had its own 500 ms / 60 s schedule documented as full jitter but implementing equal jitter.
 */
export function retryDelayMs(attempt: number, random: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  return Math.round(policy.delayForUniform(Math.max(1, Math.floor(attempt)), random));
}

/**
 * Outcome of one attempt → the task's next status. `attempts` are the attempts charged to the task
 * (lost ones excluded); lost attempts (executor died) are retried up to MAX_LOST_ATTEMPTS (3) times
 * without charging the budget, as the simulator does. `oom_killed` is a failure like `failed` and
 * `timed_out`: charged, retried while attempts remain, and the final status says why (see
 * ATTEMPT_OUTCOMES in @kairos/contracts).
 */
export function nextStatusAfterAttempt(
  outcome: AttemptOutcomeKind,
  attempts: number,
  maxAttempts: number,
  lostCount: number,
): TaskStatus {
  if (outcome === 'succeeded' || outcome === 'cancelled') return outcome;
  if (outcome === 'lost') return lostCount <= MAX_LOST_ATTEMPTS ? 'queued' : 'failed';
  return attempts < maxAttempts ? 'queued' : outcome;
}
