import type { TaskStatus } from '@kairos/contracts';

// The history model: one record per tick of a schedule, which the follow-up stores (one row per
// tick, one per shard run) and the API shows. Pure reducers fold run events into a record.

/** A tick chosen to fire, in the order the planner produced it. */
export interface PlannedTick {
  readonly scheduleId: string;
  /** tickKey(scheduleId, scheduledAtMs). */
  readonly key: string;
  readonly scheduledAtMs: number;
  /** When to fire: scheduled + jitter, or the planning instant for a late or catch-up tick. */
  readonly fireAtMs: number;
  readonly jitterMs: number;
  /** A misfired tick run by the misfire rule (run_once / run_all). */
  readonly catchUp: boolean;
}

export const TICK_SKIP_REASONS = [
  /** Its time passed by more than the misfire grace while nobody planned it; rule skip or run_once. */
  'misfire',
  /** Misfired and older than the `cap` most recent misfires that run_all runs. */
  'misfire_cap_exceeded',
  'paused',
  /** concurrency `forbid` while an earlier tick's run was active. */
  'previous_run_active',
  /** The circuit breaker is open (or half-open with its trial tick still running). */
  'circuit_open',
] as const;
export type TickSkipReason = (typeof TICK_SKIP_REASONS)[number];

export const TICK_OUTCOMES = ['fired', 'running', 'succeeded', 'failed', 'cancelled', 'skipped'] as const;
export type TickOutcome = (typeof TICK_OUTCOMES)[number];

export type ShardRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One shard's task (or workflow) of a fired tick. */
export interface ShardRun {
  readonly runId: string;
  readonly status: ShardRunStatus;
  readonly startedAtMs: number | null;
  readonly finishedAtMs: number | null;
}

export interface TickRecord {
  readonly scheduleId: string;
  readonly tickKey: string;
  readonly scheduledAtMs: number;
  /** Planned firing instant (with jitter); null for a tick recorded without being planned to fire. */
  readonly fireAtMs: number | null;
  readonly firedAtMs: number | null;
  /** First shard's process start. */
  readonly startedAtMs: number | null;
  /** Last shard's end, once every shard has ended. */
  readonly finishedAtMs: number | null;
  /** One per shard, in shard order. */
  readonly shards: readonly ShardRun[];
  /** startedAtMs − scheduledAtMs: the figure `bench schedules` reports (jitter included). */
  readonly delayMs: number | null;
  readonly outcome: TickOutcome;
  readonly skipReason: TickSkipReason | null;
  readonly detail: string | null;
  readonly catchUp: boolean;
  /** The circuit breaker's half-open trial. */
  readonly trial: boolean;
}

/** Misfires beyond those recorded one by one (a long outage of a frequent schedule). */
export interface MissedTicksSummary {
  readonly scheduleId: string;
  readonly count: number;
  /** False when the count is a lower bound (cron triggers past the planner's scan limit). */
  readonly countExact: boolean;
  readonly firstAtMs: number;
  readonly lastAtMs: number;
}

export function skippedTickRecord(
  tick: Pick<PlannedTick, 'scheduleId' | 'key' | 'scheduledAtMs'> & Partial<Pick<PlannedTick, 'fireAtMs' | 'catchUp'>>,
  reason: TickSkipReason,
  detail: string | null = null,
): TickRecord {
  return {
    scheduleId: tick.scheduleId,
    tickKey: tick.key,
    scheduledAtMs: tick.scheduledAtMs,
    fireAtMs: tick.fireAtMs ?? null,
    firedAtMs: null,
    startedAtMs: null,
    finishedAtMs: null,
    shards: [],
    delayMs: null,
    outcome: 'skipped',
    skipReason: reason,
    detail,
    catchUp: tick.catchUp ?? false,
    trial: false,
  };
}

export function firedTickRecord(tick: PlannedTick, firedAtMs: number, runIds: readonly string[], trial: boolean): TickRecord {
  return {
    scheduleId: tick.scheduleId,
    tickKey: tick.key,
    scheduledAtMs: tick.scheduledAtMs,
    fireAtMs: tick.fireAtMs,
    firedAtMs,
    startedAtMs: null,
    finishedAtMs: null,
    shards: runIds.map((runId) => ({ runId, status: 'queued', startedAtMs: null, finishedAtMs: null })),
    delayMs: null,
    outcome: 'fired',
    skipReason: null,
    detail: null,
    catchUp: tick.catchUp,
    trial,
  };
}

export type ShardRunEvent =
  | { readonly type: 'started'; readonly runId: string; readonly atMs: number }
  | { readonly type: 'finished'; readonly runId: string; readonly atMs: number; readonly status: TaskStatus };

/** A task status as a shard run's: timed out, upstream-failed and OOM-killed count as failed. */
export function shardStatusOf(status: TaskStatus): ShardRunStatus {
  switch (status) {
    case 'queued':
    case 'running':
    case 'succeeded':
    case 'failed':
    case 'cancelled':
      return status;
    case 'timed_out':
    case 'upstream_failed':
    case 'oom_killed':
      return 'failed';
    default: {
      const never: never = status;
      return never;
    }
  }
}

const isShardDone = (s: ShardRunStatus): boolean => s === 'succeeded' || s === 'failed' || s === 'cancelled';

/**
 * The tick's outcome from its shards: any failure fails the tick (even if another shard was
 * cancelled), else any cancellation cancels it, else all succeeded; running while any shard runs.
 */
export function tickOutcomeOf(shards: readonly ShardRun[]): TickOutcome {
  if (shards.length === 0) return 'fired';
  if (!shards.every((s) => isShardDone(s.status))) return shards.some((s) => s.status !== 'queued') ? 'running' : 'fired';
  if (shards.some((s) => s.status === 'failed')) return 'failed';
  if (shards.some((s) => s.status === 'cancelled')) return 'cancelled';
  return 'succeeded';
}

/** Folds one shard's start or end into the tick's record; events for unknown runs are ignored. */
export function applyShardRunEvent(record: TickRecord, event: ShardRunEvent): TickRecord {
  const i = record.shards.findIndex((s) => s.runId === event.runId);
  if (i < 0) return record;
  const prev = record.shards[i] as ShardRun;
  const next: ShardRun =
    event.type === 'started'
      ? { ...prev, status: isShardDone(prev.status) ? prev.status : 'running', startedAtMs: prev.startedAtMs ?? event.atMs }
      : { ...prev, status: shardStatusOf(event.status), finishedAtMs: event.atMs };
  const shards = record.shards.map((s, j) => (j === i ? next : s));
  const starts = shards.map((s) => s.startedAtMs).filter((t): t is number => t !== null);
  const startedAtMs = starts.length > 0 ? Math.min(...starts) : null;
  const outcome = tickOutcomeOf(shards);
  const done = outcome === 'succeeded' || outcome === 'failed' || outcome === 'cancelled';
  return {
    ...record,
    shards,
    startedAtMs,
    delayMs: startedAtMs === null ? null : startedAtMs - record.scheduledAtMs,
    outcome,
    finishedAtMs: done ? Math.max(...shards.map((s) => s.finishedAtMs ?? -Infinity)) : null,
  };
}
