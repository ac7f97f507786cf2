import { DomainError } from '@kairos/platform';
import type { AttemptOutcomeKind, TaskStatus } from '@kairos/contracts';

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

/** Exponential back-off with full jitter (AWS architecture blog), capped. `random` in [0,1). */
export function retryDelayMs(attempt: number, random: number, baseMs = 500, capMs = 60_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/**
 * Outcome of one attempt → the task's next status. Lost attempts (executor died) retry up to 3 times
 * extra. `oom_killed` is a failure like `failed` and `timed_out`: retried while attempts remain, and
 * the final status says why (see ATTEMPT_OUTCOMES in @kairos/contracts).
 */
export function nextStatusAfterAttempt(
  outcome: AttemptOutcomeKind,
  attempts: number,
  maxAttempts: number,
  lostCount: number,
): TaskStatus {
  if (outcome === 'succeeded' || outcome === 'cancelled') return outcome;
  if (outcome === 'lost') return lostCount <= 3 ? 'queued' : 'failed';
  return attempts < maxAttempts ? 'queued' : outcome;
}
