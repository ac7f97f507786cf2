import type { Schedule } from '@kairos/contracts';
import { CLOSED_BREAKER, recordTickOutcome, type BreakerOutcome, type BreakerState } from './circuit-breaker.state';
import type { ActiveRun } from './concurrency.policy';
import { decideTick } from './tick-decision.policy';
import { buildTickSubmissions, type ShardSubmission } from './tick-submission';
import { skippedTickRecord, type MissedTicksSummary, type PlannedTick, type TickRecord } from './tick.model';

/** A tick that fires: its N shard submissions, and the earlier runs to cancel first (`replace`). */
export interface FiredTick {
  readonly tick: PlannedTick;
  /** When the decision was taken (ahead of the instant for a tick decided ahead). */
  readonly firedAtMs: number;
  /** Decided ahead: its tasks must not start before this instant (the tick's firing instant); null: at once. */
  readonly runAfterMs: number | null;
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
  /** Keys of ticks `decideAhead` left to be decided at their instant (`decideDeferred`). */
  readonly deferred: Set<string>;
}

/** What `decideAhead` decided, and the ticks it left to decide at their instant. */
export interface AheadDecision {
  readonly batch: TickBatch;
  readonly deferred: readonly PlannedTick[];
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
      deferred: new Set(),
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

  /** Decides due ticks at their instant (in firing order); ticks of unknown schedules are ignored. */
  decide(ticks: readonly PlannedTick[], nowMs: number): TickBatch {
    const out = newBatch(nowMs);
    for (const tick of ticks) {
      const e = this.entries.get(tick.scheduleId);
      if (e !== undefined) this.decideOne(e, tick, nowMs, nowMs, null, out);
    }
    return batchOf(out);
  }

  /**
   * Decides ticks ahead of their firing instant (called `leadMs` before it), so that their tasks are
   * written before the instant and start at it (`runAfterMs`). Only a tick whose decision cannot
   * change by its instant is decided ahead: its schedule has no run that has not ended (a run ending
   * before the instant could free `forbid`, or open the breaker by failing) and no earlier tick left
   * for its instant; it is decided as of its instant (breaker cool-down). Every other tick is left for
   * `decideDeferred` at its instant, which decides it as `decide` would. A definition change (pause
   * included) reaches the ticks decided after the change was loaded: a tick decided ahead keeps its
   * decision.
   */
  decideAhead(ticks: readonly PlannedTick[], nowMs: number): AheadDecision {
    const out = newBatch(nowMs);
    const deferred: PlannedTick[] = [];
    for (const tick of ticks) {
      const e = this.entries.get(tick.scheduleId);
      if (e === undefined) continue;
      if (e.active.size > 0 || e.deferred.size > 0) {
        e.deferred.add(tick.key);
        deferred.push(tick);
        continue;
      }
      this.decideOne(e, tick, nowMs, Math.max(nowMs, tick.fireAtMs), Math.max(nowMs, tick.fireAtMs), out);
    }
    return { batch: batchOf(out), deferred };
  }

  /**
   * Decides, at their instant, ticks `decideAhead` deferred, under the definition loaded by then. Those
   * no longer deferred (schedule removed or reloaded) are dropped, and so are those of a schedule paused
   * meanwhile: a paused schedule records nothing (as the planner drops ticks planned before a pause).
   */
  decideDeferred(ticks: readonly PlannedTick[], nowMs: number): TickBatch {
    const out = newBatch(nowMs);
    for (const tick of ticks) {
      const e = this.entries.get(tick.scheduleId);
      if (e === undefined || !e.deferred.delete(tick.key) || e.schedule.paused) continue;
      this.decideOne(e, tick, nowMs, nowMs, null, out);
    }
    return batchOf(out);
  }

  private decideOne(e: RuntimeEntry, tick: PlannedTick, nowMs: number, decideAtMs: number, runAfterMs: number | null, out: BatchBuilder): void {
    const prepared = e.prepared.get(tick.key);
    if (prepared !== undefined) e.prepared.delete(tick.key);
    const { decision, breaker } = decideTick({ schedule: e.schedule, tick, breaker: e.breaker, active: e.active.size === 0 ? [] : this.activeOf(tick.scheduleId), nowMs: decideAtMs });
    e.breaker = breaker;
    e.decidedThroughMs = Math.max(e.decidedThroughMs, tick.scheduledAtMs);
    out.touched.set(tick.scheduleId, e);
    if (decision.kind === 'skip') {
      out.skipped.push(skippedTickRecord(tick, decision.reason, decision.detail));
      return;
    }
    const cancel = decision.kind === 'replace' ? decision.cancel : [];
    for (const c of cancel) e.active.delete(c.tickKey);
    const submissions = prepared ?? buildTickSubmissions(e.schedule, tick);
    const keys = submissions.map((s) => s.key);
    e.active.set(tick.key, { scheduledAtMs: tick.scheduledAtMs, shardKeys: keys, pending: new Set(keys), failed: false, cancelled: false });
    out.fired.push({ tick, firedAtMs: nowMs, runAfterMs, submissions, trial: decision.trial, cancel });
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

interface BatchBuilder {
  readonly atMs: number;
  readonly fired: FiredTick[];
  readonly skipped: TickRecord[];
  readonly touched: Map<string, RuntimeEntry>;
}

function newBatch(atMs: number): BatchBuilder {
  return { atMs, fired: [], skipped: [], touched: new Map() };
}

function batchOf(b: BatchBuilder): TickBatch {
  return { atMs: b.atMs, fired: b.fired, skipped: b.skipped, misfires: [], states: [...b.touched.values()].map(stateOf) };
}

function stateOf(e: RuntimeEntry): ScheduleStateUpdate {
  return { scheduleId: e.schedule.id, decidedThroughMs: e.decidedThroughMs, breaker: e.breaker };
}
