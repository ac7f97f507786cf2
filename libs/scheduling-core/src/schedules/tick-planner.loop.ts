import { EventHeap } from '../sim/event-heap';
import { initialCursor, resumedCursor, type CompiledSchedule, type ScheduleCursor } from './schedule.model';
import { ScheduleError } from './schedule.errors';
import { planTicks, type PlanOptions } from './tick-planner';
import type { MissedTicksSummary, PlannedTick, TickRecord } from './tick.model';
import { TickWheel } from './tick-wheel';
import type { TimerService } from './timer.port';

export interface PlannerLoopSink {
  /** Ticks just planned, before their firing instant: a place to do per-tick work ahead of time. */
  onPlanned?(ticks: PlannedTick[], nowMs: number): void;
  /** Ticks whose decision instant (firing instant − leadMs) has come, in firing order (one batch per timer callback). */
  onDue(ticks: PlannedTick[], nowMs: number): void;
  /** Misfires found while planning (after an outage, or a stall longer than the misfire grace). */
  onMissed(records: TickRecord[], summary: MissedTicksSummary, nowMs: number): void;
}

export interface PlannerLoopOptions {
  /** Ticks are planned this far ahead of now. Default 3,000 ms. */
  readonly horizonMs?: number;
  /** Planning runs this often; must be shorter than the horizon. Default 500 ms. */
  readonly refillEveryMs?: number;
  /**
   * A tick is handed to `onDue` this long before its firing instant (its decision instant), so the
   * follow-up can write its task ahead and the task start at the instant without waiting on the
   * database. Must be below horizonMs − refillEveryMs (a tick is planned before it is decided).
   * Default 0: handed over at the instant.
   */
  readonly leadMs?: number;
  /** Most time one planning slice may take before yielding the event loop. Default 2 ms. */
  readonly sliceBudgetMs?: number;
  /** Batch size handed to `onDue` at most. Default 5,000. */
  readonly maxBatch?: number;
  readonly plan?: PlanOptions;
  /** High-resolution time source for budgets and stats (performance.now); default the timer's clock. */
  readonly stopwatch?: () => number;
}

export interface PlannerLoopStats {
  readonly schedules: number;
  /** Calls of planTicks and the ticks they planned to fire. */
  readonly planCalls: number;
  readonly ticksPlanned: number;
  /** Wall time spent in planTicks (stopwatch ms). */
  readonly planMs: number;
  /** Longest single planning slice (stopwatch ms): how long planning held the event loop at most. */
  readonly maxSliceMs: number;
  readonly ticksDue: number;
  /** Due ticks dropped because their schedule was removed, paused or updated after planning. */
  readonly ticksDropped: number;
  readonly misfires: number;
  readonly wheelSize: number;
}

/** Schedules a planning slice plans at least, whatever its time budget. */
const MIN_PER_SLICE = 64;

interface Entry {
  schedule: CompiledSchedule;
  cursor: ScheduleCursor;
  generation: number;
  /** The scheduled instant of the last tick handed to onDue or recorded as missed. */
  decidedThroughMs: number;
}

interface WheelItem {
  readonly tick: PlannedTick;
  readonly generation: number;
}

/**
 * Plans the ticks of many schedules a few seconds ahead and fires them from one TickWheel, so that
 * firing costs no cron evaluation and no database round trip per schedule.
 *
 * Schedules wait in a min-heap keyed by their next tick; every `refillEveryMs` the loop plans those
 * whose next tick falls within `now + horizonMs` (one planTicks call each, ≈ one cron evaluation per
 * tick) in slices of at most `sliceBudgetMs`, so planning never holds the event loop longer than a
 * slice. A paused schedule is not planned at all; an updated, paused or removed one gets a new
 * generation and its already planned ticks are dropped when they come due.
 */
export class TickPlannerLoop {
  private readonly entries = new Map<string, Entry>();
  private readonly queue = new EventHeap<{ id: string; generation: number }>();
  private readonly wheel: TickWheel<WheelItem>;
  private readonly horizonMs: number;
  private readonly refillEveryMs: number;
  private readonly leadMs: number;
  private readonly sliceBudgetMs: number;
  private readonly stopwatch: () => number;
  private cancelRefill: (() => void) | null = null;
  private running = false;
  private generation = 0;
  private stats = { planCalls: 0, ticksPlanned: 0, planMs: 0, maxSliceMs: 0, ticksDue: 0, ticksDropped: 0, misfires: 0 };

  constructor(
    private readonly timer: TimerService,
    private readonly sink: PlannerLoopSink,
    private readonly options: PlannerLoopOptions = {},
  ) {
    this.horizonMs = options.horizonMs ?? 3_000;
    this.refillEveryMs = options.refillEveryMs ?? 500;
    this.sliceBudgetMs = options.sliceBudgetMs ?? 2;
    this.leadMs = options.leadMs ?? 0;
    if (!(this.leadMs >= 0 && this.leadMs < this.horizonMs - this.refillEveryMs)) {
      throw new ScheduleError('invalid_option', `TickPlannerLoop: need 0 ≤ leadMs < horizonMs − refillEveryMs (got ${this.leadMs})`);
    }
    if (!(this.refillEveryMs > 0 && this.horizonMs > this.refillEveryMs)) {
      throw new ScheduleError('invalid_option', `TickPlannerLoop: need 0 < refillEveryMs < horizonMs (got ${this.refillEveryMs}, ${this.horizonMs})`);
    }
    if (!(this.sliceBudgetMs > 0)) throw new ScheduleError('invalid_option', `TickPlannerLoop: sliceBudgetMs must be > 0, got ${this.sliceBudgetMs}`);
    this.stopwatch = options.stopwatch ?? (() => timer.nowMs());
    this.wheel = new TickWheel<WheelItem>(timer, (due, now) => this.fire(due, now), { maxBatch: options.maxBatch });
  }

  /**
   * Adds or replaces a schedule. `cursor`: where its planning resumes (the durable cursor loaded by
   * the follow-up); omitted, a known schedule resumes after its last fired tick (ticks planned under
   * the old definition are dropped; after a pause, from now) and a new one starts at initialCursor
   * (no backfill).
   */
  upsert(schedule: CompiledSchedule, cursor?: ScheduleCursor): void {
    const prev = this.entries.get(schedule.id);
    let from = cursor ?? (prev !== undefined ? { decidedThroughMs: prev.decidedThroughMs } : initialCursor(schedule));
    if (cursor === undefined && prev?.schedule.definition.paused === true && !schedule.definition.paused) from = resumedCursor(from, this.timer.nowMs());
    const entry: Entry = { schedule, cursor: from, generation: ++this.generation, decidedThroughMs: from.decidedThroughMs };
    this.entries.set(schedule.id, entry);
    this.enqueue(entry);
    if (this.running) this.scheduleRefill(0);
  }

  remove(scheduleId: string): void {
    this.entries.delete(scheduleId);
  }

  has(scheduleId: string): boolean {
    return this.entries.has(scheduleId);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wheel.resume();
    this.scheduleRefill(0);
  }

  stop(): void {
    this.running = false;
    this.cancelRefill?.();
    this.cancelRefill = null;
    this.wheel.stop();
  }

  getStats(): PlannerLoopStats {
    return { ...this.stats, schedules: this.entries.size, wheelSize: this.wheel.size };
  }

  private enqueue(entry: Entry): void {
    if (entry.schedule.definition.paused) return;
    const next = entry.cursor.nextTickAtMs;
    if (next === null) return;
    this.queue.push(next ?? -Infinity, { id: entry.schedule.id, generation: entry.generation });
  }

  private scheduleRefill(delayMs: number): void {
    this.cancelRefill?.();
    this.cancelRefill = this.timer.setTimer(delayMs, () => this.refill());
  }

  /** One planning slice; reschedules itself at once if the budget ran out, else after refillEveryMs. */
  private refill(): void {
    this.cancelRefill = null;
    if (!this.running) return;
    const now = this.timer.nowMs();
    const until = now + this.horizonMs;
    const sliceStart = this.stopwatch();
    let exhausted = false;
    // A tick due to be handed over before the next refill is urgent: planning it is not cut by the
    // budget. Otherwise a slice still plans a minimum number of schedules: on an oversubscribed
    // machine the budget can pass while the process is descheduled, and one schedule per turn of a
    // busy event loop fell minutes behind 200 ticks/s.
    const urgentBefore = now + this.leadMs + this.refillEveryMs;
    let planned = 0;
    while (this.queue.peekTime() <= until) {
      if (planned >= MIN_PER_SLICE && this.queue.peekTime() > urgentBefore && this.stopwatch() - sliceStart >= this.sliceBudgetMs) {
        exhausted = true;
        break;
      }
      planned++;
      const q = this.queue.pop();
      if (q === undefined) break;
      const entry = this.entries.get(q.item.id);
      if (entry === undefined || entry.generation !== q.item.generation) continue;
      const t0 = this.stopwatch();
      const plan = planTicks(entry.schedule, entry.cursor, now, until, this.options.plan);
      this.stats.planMs += this.stopwatch() - t0;
      this.stats.planCalls++;
      this.stats.ticksPlanned += plan.due.length;
      entry.cursor = plan.cursor;
      if (plan.due.length > 0) this.sink.onPlanned?.(plan.due, now);
      for (const tick of plan.due) this.wheel.add(tick.fireAtMs - this.leadMs, { tick, generation: entry.generation });
      if (plan.misfires !== null) {
        this.stats.misfires += plan.misfires.count;
        const lastRecorded = plan.missed[plan.missed.length - 1];
        if (lastRecorded !== undefined) entry.decidedThroughMs = Math.max(entry.decidedThroughMs, lastRecorded.scheduledAtMs);
        this.sink.onMissed(plan.missed, plan.misfires, now);
      }
      this.enqueue(entry);
    }
    this.stats.maxSliceMs = Math.max(this.stats.maxSliceMs, this.stopwatch() - sliceStart);
    this.scheduleRefill(exhausted ? 0 : this.refillEveryMs);
  }

  private fire(due: { fireAtMs: number; item: WheelItem }[], nowMs: number): void {
    const ticks: PlannedTick[] = [];
    for (const { item } of due) {
      const entry = this.entries.get(item.tick.scheduleId);
      if (entry === undefined || entry.generation !== item.generation) {
        this.stats.ticksDropped++;
        continue;
      }
      entry.decidedThroughMs = item.tick.scheduledAtMs;
      ticks.push(item.tick);
    }
    this.stats.ticksDue += ticks.length;
    if (ticks.length > 0) this.sink.onDue(ticks, nowMs);
  }
}
