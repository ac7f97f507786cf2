import type { Schedule } from '@kairos/contracts';
import { CLOSED_BREAKER, recordTickOutcome, type BreakerOutcome, type BreakerState } from './circuit-breaker.state';
import type { ActiveRun } from './concurrency.policy';
import { decideTick } from './tick-decision.policy';
import { buildTickSubmissions, type ShardSubmission } from './tick-submission';
import { skippedTickRecord, type MissedTicksSummary, type PlannedTick, type TickRecord } from './tick.model';

/** A tick that fires: its N shard submissions, and the earlier runs to cancel first (`replace`). */
export interface FiredTick {
  readonly tick: PlannedTick;
  readonly firedAtMs: number;
  readonly submissions: readonly ShardSubmission[];
  /** The circuit breaker's half-open trial. */
  readonly trial: boolean;
  readonly cancel: readonly ActiveRun[];
}

/** A schedule's durable state after a batch: written with the batch, in the same transaction. */
export interface ScheduleStateUpdate {
  readonly scheduleId: string;
  /** Every tick at or before this instant has been decided (the planning cursor to resume from). */
  readonly decidedThroughMs: number;
  readonly breaker: BreakerState;
}

/**
 * Everything one firing (or one misfire finding) decided, for the follow-up to write in one
 * statement: task rows + tick rows ON CONFLICT (schedule_id, tick_at, shard) DO NOTHING, skipped tick
 * rows, and the schedules' new cursors and breaker states.
 */
export interface TickBatch {
  readonly atMs: number;
  readonly fired: readonly FiredTick[];
  readonly skipped: readonly TickRecord[];
  readonly misfires: readonly MissedTicksSummary[];
  readonly states: readonly ScheduleStateUpdate[];
}

/** What the runtime needs to know of a schedule it takes over: its durable state. */
export interface ScheduleRuntimeState {
  readonly decidedThroughMs: number;
  readonly breaker: BreakerState;
  /** Ticks fired earlier whose shards have not all ended (from the tasks table on take-over). */
  readonly active: readonly ActiveRun[];
}

interface ActiveTick {
  readonly scheduledAtMs: number;
  readonly shardKeys: string[];
  readonly pending: Set<string>;
  failed: boolean;
  cancelled: boolean;
}

interface RuntimeEntry {
  schedule: Schedule;
  breaker: BreakerState;
  decidedThroughMs: number;
  readonly active: Map<string, ActiveTick>;
  /** Submissions built ahead by `prepare`, by tick key; cleared when the definition changes. */
  readonly prepared: Map<string, ShardSubmission[]>;
}

/**
 * The firing half of a replica's schedules, in memory: for each due tick, decide fire / replace /
 * skip from the schedule's breaker and its active runs (decideTick), build its shard submissions,
 * and track runs until their shards end, feeding outcomes to the breaker. Pure (no I/O, no clock):
 * the follow-up writes each TickBatch and feeds task start/end events back through `onShardEnded`.
 */
export class ScheduleRuntime {
  private readonly entries = new Map<string, RuntimeEntry>();

  upsert(schedule: Schedule, state?: ScheduleRuntimeState): void {
    const prev = this.entries.get(schedule.id);
    if (prev !== undefined && state === undefined) {
      prev.schedule = schedule;
      prev.prepared.clear();
      return;
    }
    const active = new Map<string, ActiveTick>();
    for (const r of state?.active ?? []) active.set(r.tickKey, { scheduledAtMs: r.scheduledAtMs, shardKeys: [...r.shardKeys], pending: new Set(r.shardKeys), failed: false, cancelled: false });
    this.entries.set(schedule.id, {
      schedule,
      breaker: state?.breaker ?? CLOSED_BREAKER,
      decidedThroughMs: state?.decidedThroughMs ?? -Infinity,
      active,
      prepared: new Map(),
    });
  }

  remove(scheduleId: string): void {
    this.entries.delete(scheduleId);
  }

  breakerOf(scheduleId: string): BreakerState | undefined {
    return this.entries.get(scheduleId)?.breaker;
  }

  activeOf(scheduleId: string): ActiveRun[] {
    const e = this.entries.get(scheduleId);
    if (e === undefined) return [];
    return [...e.active.entries()].map(([tickKey, a]) => ({ tickKey, scheduledAtMs: a.scheduledAtMs, shardKeys: [...a.pending] }));
  }

  /**
   * Builds the shard submissions of planned ticks ahead of their firing instant (call it from the
   * planner loop's onPlanned), so that firing a tick costs only the decision, not the fan-out.
   */
  prepare(ticks: readonly PlannedTick[]): void {
    for (const tick of ticks) {
      const e = this.entries.get(tick.scheduleId);
      if (e !== undefined) e.prepared.set(tick.key, buildTickSubmissions(e.schedule, tick));
    }
  }

  /** Decides due ticks (in firing order); ticks of unknown schedules are ignored. */
  decide(ticks: readonly PlannedTick[], nowMs: number): TickBatch {
    const fired: FiredTick[] = [];
    const skipped: TickRecord[] = [];
    const touched = new Map<string, RuntimeEntry>();
    for (const tick of ticks) {
      const e = this.entries.get(tick.scheduleId);
      if (e === undefined) continue;
      const prepared = e.prepared.get(tick.key);
      if (prepared !== undefined) e.prepared.delete(tick.key);
      const { decision, breaker } = decideTick({ schedule: e.schedule, tick, breaker: e.breaker, active: e.active.size === 0 ? [] : this.activeOf(tick.scheduleId), nowMs });
      e.breaker = breaker;
      e.decidedThroughMs = Math.max(e.decidedThroughMs, tick.scheduledAtMs);
      touched.set(tick.scheduleId, e);
      if (decision.kind === 'skip') {
        skipped.push(skippedTickRecord(tick, decision.reason, decision.detail));
        continue;
      }
      const cancel = decision.kind === 'replace' ? decision.cancel : [];
      for (const c of cancel) e.active.delete(c.tickKey);
      const submissions = prepared ?? buildTickSubmissions(e.schedule, tick);
      const keys = submissions.map((s) => s.key);
      e.active.set(tick.key, { scheduledAtMs: tick.scheduledAtMs, shardKeys: keys, pending: new Set(keys), failed: false, cancelled: false });
      fired.push({ tick, firedAtMs: nowMs, submissions, trial: decision.trial, cancel });
    }
    return { atMs: nowMs, fired, skipped, misfires: [], states: [...touched.values()].map(stateOf) };
  }

  /** Misfires the planner recorded (not run), as a batch that advances the schedule's cursor. */
  missed(records: readonly TickRecord[], summary: MissedTicksSummary, nowMs: number): TickBatch {
    const e = this.entries.get(summary.scheduleId);
    const last = records[records.length - 1];
    if (e !== undefined && last !== undefined) e.decidedThroughMs = Math.max(e.decidedThroughMs, last.scheduledAtMs);
    return { atMs: nowMs, fired: [], skipped: records, misfires: [summary], states: e !== undefined ? [stateOf(e)] : [] };
  }

  /**
   * One shard of a fired tick ended. When its last shard ends the tick leaves the active runs and
   * its outcome (any failure → failed; else any cancellation → cancelled; else succeeded) moves the
   * breaker; returns the state to persist when the breaker changed, else null.
   */
  onShardEnded(scheduleId: string, tickKey: string, shardKey: string, outcome: BreakerOutcome, atMs: number): ScheduleStateUpdate | null {
    const e = this.entries.get(scheduleId);
    const a = e?.active.get(tickKey);
    if (e === undefined || a === undefined || !a.pending.delete(shardKey)) return null;
    if (outcome === 'failed') a.failed = true;
    if (outcome === 'cancelled') a.cancelled = true;
    if (a.pending.size > 0) return null;
    e.active.delete(tickKey);
    const tickOutcome: BreakerOutcome = a.failed ? 'failed' : a.cancelled ? 'cancelled' : 'succeeded';
    const before = e.breaker;
    e.breaker = recordTickOutcome(e.breaker, e.schedule.circuitBreaker, tickKey, tickOutcome, atMs);
    return e.breaker === before ? null : stateOf(e);
  }
}

function stateOf(e: RuntimeEntry): ScheduleStateUpdate {
  return { scheduleId: e.schedule.id, decidedThroughMs: e.decidedThroughMs, breaker: e.breaker };
}
