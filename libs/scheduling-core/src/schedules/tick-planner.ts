import type { CompiledSchedule, ScheduleCursor } from './schedule.model';
import { ScheduleError } from './schedule.errors';
import { tickJitterMs, tickKey } from './tick-key';
import { skippedTickRecord, type MissedTicksSummary, type PlannedTick, type TickRecord } from './tick.model';

export interface PlanOptions {
  /** Most misfires enumerated one by one after an outage (cron: each costs a croner call). */
  readonly scanLimit?: number;
  /** Most misfires returned as individual skipped records; the rest only count in the summary. */
  readonly recordLimit?: number;
  /** Most ticks planned in one call; a larger window is cut short (plannedThroughMs says where). */
  readonly maxTicks?: number;
}

export interface TickPlan {
  /** Ticks to fire, in scheduled order (catch-ups first: they are the oldest). */
  readonly due: PlannedTick[];
  /** Misfires not run, as skipped records (the most recent `recordLimit`), in scheduled order. */
  readonly missed: TickRecord[];
  /** All misfires (run or not), when there were any. */
  readonly misfires: MissedTicksSummary | null;
  /** The new cursor once `due` and `missed` are decided: every tick at or before it is covered. */
  readonly cursor: Required<ScheduleCursor>;
}

const DEFAULTS = { scanLimit: 10_000, recordLimit: 1_000, maxTicks: 10_000 } as const;

/**
 * The ticks of `schedule` after its cursor up to `toMs`, as seen at `fromMs` (the planner's now).
 *
 * - A tick scheduled after `fromMs − misfire.graceMs` is due: it fires at scheduled + jitter, or at
 *   `fromMs` if that has passed (late, but within grace). The jitter is capped below the gap to the
 *   next tick, so one schedule's ticks always fire in scheduled order.
 * - A tick at or before `fromMs − graceMs` was never planned in time (the planner was down or
 *   stalled): a misfire. `skip` records them all as skipped; `run_once` runs the most recent one now
 *   and records the rest; `run_all` runs the `cap` most recent now and records the older ones.
 * - A paused schedule plans nothing and records nothing; its cursor moves to `toMs`.
 *
 * Pure: the same inputs give the same plan on every replica (tick keys and jitters included).
 */
export function planTicks(schedule: CompiledSchedule, cursor: ScheduleCursor, fromMs: number, toMs: number, options: PlanOptions = {}): TickPlan {
  const opts = { ...DEFAULTS, ...options };
  if (!(opts.scanLimit >= 1 && opts.recordLimit >= 0 && opts.maxTicks >= 1)) {
    throw new ScheduleError('invalid_option', 'planTicks: scanLimit and maxTicks must be ≥ 1, recordLimit ≥ 0');
  }
  if (!(Number.isFinite(fromMs) && Number.isFinite(toMs) && toMs >= fromMs)) {
    throw new ScheduleError('invalid_window', `planTicks: window must satisfy from ≤ to (from ${fromMs}, to ${toMs})`);
  }
  const def = schedule.definition;
  const timeline = schedule.timeline;
  const start = cursor.decidedThroughMs;
  const known = cursor.nextTickAtMs;
  let next: number | null = known !== undefined ? known : timeline.nextAfter(start);
  if (toMs <= start) return { due: [], missed: [], misfires: null, cursor: { decidedThroughMs: start, nextTickAtMs: next } };
  if (def.paused) {
    const after = next !== null && next <= toMs ? timeline.nextAfter(toMs) : next;
    return { due: [], missed: [], misfires: null, cursor: { decidedThroughMs: toMs, nextTickAtMs: after } };
  }

  const due: PlannedTick[] = [];
  const missed: TickRecord[] = [];
  let misfires: MissedTicksSummary | null = null;
  const cutoff = fromMs - def.misfire.graceMs;

  if (next !== null && next <= cutoff) {
    // Misfires: (start, cutoff]. Enumerate up to scanLimit, keeping only the most recent
    // runCount (to run) + recordLimit (to record as skipped).
    const runCount = def.misfire.rule === 'skip' ? 0 : def.misfire.rule === 'run_once' ? 1 : def.misfire.cap;
    const window = Math.max(runCount + opts.recordLimit, 1);
    let tail: number[] = [];
    let scanned = 0;
    const first = next;
    while (next !== null && next <= cutoff && scanned < opts.scanLimit) {
      tail.push(next);
      if (tail.length > 2 * window) tail = tail.slice(-window);
      scanned++;
      next = timeline.nextAfter(next);
    }
    let count = scanned;
    let countExact = true;
    if (next !== null && next <= cutoff) {
      // Past the scan limit: jump to the most recent misfires and the first tick after the cutoff.
      const latest = timeline.latestAtOrBefore(window, cutoff).reverse();
      const lastScanned = tail[tail.length - 1] as number;
      tail = [...tail, ...latest.filter((t) => t > lastScanned)];
      const exact = timeline.countBetween(start, cutoff);
      count = exact ?? scanned + latest.filter((t) => t > lastScanned).length;
      countExact = exact !== null;
      next = timeline.nextAfter(cutoff);
    }
    tail = tail.slice(-window);
    const last = tail[tail.length - 1] as number;
    misfires = { scheduleId: schedule.id, count, countExact, firstAtMs: first, lastAtMs: last };
    const run = runCount > 0 ? tail.slice(-runCount) : [];
    const notRun = tail.slice(0, tail.length - run.length).slice(-opts.recordLimit);
    const reason = def.misfire.rule === 'run_all' ? 'misfire_cap_exceeded' : 'misfire';
    const detail =
      def.misfire.rule === 'skip'
        ? 'missed by more than the misfire grace; rule skip'
        : def.misfire.rule === 'run_once'
          ? 'missed by more than the misfire grace; rule run_once ran the most recent missed tick only'
          : `missed by more than the misfire grace; rule run_all runs the ${def.misfire.cap} most recent only`;
    for (const t of notRun) missed.push(skippedTickRecord({ scheduleId: schedule.id, key: tickKey(schedule.id, t), scheduledAtMs: t }, reason, detail));
    for (const t of run) due.push({ scheduleId: schedule.id, key: tickKey(schedule.id, t), scheduledAtMs: t, fireAtMs: fromMs, jitterMs: 0, catchUp: true });
  }

  let through = toMs;
  let planned = 0;
  while (next !== null && next <= toMs) {
    if (planned >= opts.maxTicks) {
      through = (due[due.length - 1] as PlannedTick).scheduledAtMs;
      break;
    }
    planned++;
    const t = next;
    next = timeline.nextAfter(t);
    // Jitter stays below the gap to the next tick, so a schedule's ticks fire in scheduled order
    // (its durable cursor is then simply the last tick fired).
    const jitterMs = Math.min(tickJitterMs(schedule.id, t, def.jitterMs), next === null ? Infinity : next - t - 1);
    due.push({ scheduleId: schedule.id, key: tickKey(schedule.id, t), scheduledAtMs: t, fireAtMs: Math.max(t + jitterMs, fromMs), jitterMs, catchUp: false });
  }
  return { due, missed, misfires, cursor: { decidedThroughMs: through, nextTickAtMs: next } };
}
