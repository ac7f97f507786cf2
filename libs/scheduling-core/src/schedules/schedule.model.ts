import type { Schedule } from '@kairos/contracts';
import { compileTrigger, type TriggerTimeline } from './schedule-trigger';

/** A validated schedule with its instants parsed and its trigger compiled, ready for planning. */
export interface CompiledSchedule {
  readonly id: string;
  readonly definition: Schedule;
  readonly timeline: TriggerTimeline;
  readonly createdAtMs: number;
  readonly startAtMs?: number;
  readonly endAtMs?: number;
}

/** Compiles a schedule already parsed by contracts' ScheduleSchema (so its expression is valid). */
export function compileSchedule(definition: Schedule): CompiledSchedule {
  const startAtMs = definition.startAt !== undefined ? Date.parse(definition.startAt) : undefined;
  const endAtMs = definition.endAt !== undefined ? Date.parse(definition.endAt) : undefined;
  return {
    id: definition.id,
    definition,
    timeline: compileTrigger(definition.trigger, { startAtMs, endAtMs }),
    createdAtMs: Date.parse(definition.createdAt),
    ...(startAtMs !== undefined ? { startAtMs } : {}),
    ...(endAtMs !== undefined ? { endAtMs } : {}),
  };
}

/**
 * Where planning of one schedule stands. Every tick at or before `decidedThroughMs` has been decided
 * (fired, skipped or recorded as missed); this is the durable cursor the follow-up persists with each
 * firing batch. `nextTickAtMs`, when known, is the first tick after the cursor (null: none left),
 * a cache that spares the planner one cron evaluation per window.
 */
export interface ScheduleCursor {
  readonly decidedThroughMs: number;
  readonly nextTickAtMs?: number | null;
}

/**
 * A new schedule's cursor: nothing before its creation is owed (no backfill), and a future startAt
 * includes a tick exactly at startAt.
 */
export function initialCursor(schedule: CompiledSchedule): ScheduleCursor {
  return { decidedThroughMs: Math.max(schedule.createdAtMs, (schedule.startAtMs ?? -Infinity) - 1) };
}

/** Resuming a paused schedule starts from now: ticks that fell while paused are not misfires. */
export function resumedCursor(cursor: ScheduleCursor, nowMs: number): ScheduleCursor {
  return nowMs > cursor.decidedThroughMs ? { decidedThroughMs: nowMs } : cursor;
}
