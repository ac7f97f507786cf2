import { Cron } from 'croner';
import type { ScheduleTrigger } from '@kairos/contracts';
import { ScheduleError } from './schedule.errors';

/**
 * The instants a trigger fires at, in epoch milliseconds, within the schedule's [startAt, endAt).
 * Cron triggers are computed by croner in the trigger's IANA zone, DST included: a fixed-time job
 * (one value in each of seconds, minutes, hours: `0 30 2 * * *`) whose wall time falls in a
 * spring-forward gap fires at the first valid instant after the gap (03:00 local), and once, at the
 * first occurrence, in a repeated autumn hour; any other job (`0 *\/15 * * * *`, `0 30 1,2 * * *`)
 * skips times in the gap and fires on both passes of a repeated hour. Interval triggers fire at
 * anchor + k·everyMs, independent of zones.
 */
export interface TriggerTimeline {
  /** The first tick strictly after `afterMs`, or null when there is none (endAt reached). */
  nextAfter(afterMs: number): number | null;
  /** Up to `n` ticks at or before `atOrBeforeMs` (and ≥ startAt), most recent first. */
  latestAtOrBefore(n: number, atOrBeforeMs: number): number[];
  /** Exact number of ticks in (afterMs, atOrBeforeMs], or null when only a scan can tell (cron). */
  countBetween(afterMs: number, atOrBeforeMs: number): number | null;
}

export interface TriggerBounds {
  /** Inclusive; default: no lower bound. */
  readonly startAtMs?: number;
  /** Exclusive; default: no upper bound. */
  readonly endAtMs?: number;
}

const FIXED_OFFSET_ZONES = new Set(['utc', 'etc/utc', 'etc/uct', 'uct', 'gmt', 'etc/gmt', 'etc/universal', 'universal', 'zulu', 'etc/zulu']);

class CronTimeline implements TriggerTimeline {
  private readonly cron: Cron;

  constructor(
    expression: string,
    timezone: string,
    private readonly lo: number,
    private readonly hi: number,
  ) {
    // Croner converts through Intl for a named zone (≈150–250 µs a call on this machine); UTC
    // needs no conversion, and `utcOffset: 0` computes the same instants ≈10× faster.
    const zone = FIXED_OFFSET_ZONES.has(timezone.toLowerCase()) ? { utcOffset: 0 } : { timezone };
    try {
      this.cron = new Cron(expression, { paused: true, mode: '5-or-6-parts', ...zone });
    } catch (e) {
      throw new ScheduleError('invalid_schedule', `trigger.expression: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  nextAfter(afterMs: number): number | null {
    const from = Math.max(afterMs, this.lo - 1);
    const next = this.cron.nextRun(new Date(from));
    if (next === null) return null;
    const t = next.getTime();
    return t < this.hi ? t : null;
  }

  latestAtOrBefore(n: number, atOrBeforeMs: number): number[] {
    if (n <= 0) return [];
    const before = Math.min(atOrBeforeMs + 1, this.hi);
    return this.cron
      .previousRuns(n, new Date(before))
      .map((d) => d.getTime())
      .filter((t) => t >= this.lo);
  }

  countBetween(): number | null {
    return null;
  }
}

class IntervalTimeline implements TriggerTimeline {
  constructor(
    private readonly every: number,
    private readonly anchor: number,
    private readonly lo: number,
    private readonly hi: number,
  ) {}

  /** Index k of the last tick anchor + k·every at or before t. */
  private indexAtOrBefore(t: number): number {
    return Math.floor((t - this.anchor) / this.every);
  }

  nextAfter(afterMs: number): number | null {
    const from = Math.max(afterMs, this.lo - 1);
    const t = this.anchor + (this.indexAtOrBefore(from) + 1) * this.every;
    return t < this.hi ? t : null;
  }

  latestAtOrBefore(n: number, atOrBeforeMs: number): number[] {
    const out: number[] = [];
    const upTo = Math.min(atOrBeforeMs, this.hi - 1);
    for (let k = this.indexAtOrBefore(upTo); out.length < n; k--) {
      const t = this.anchor + k * this.every;
      if (t < this.lo) break;
      out.push(t);
    }
    return out;
  }

  countBetween(afterMs: number, atOrBeforeMs: number): number {
    const a = Math.max(afterMs, this.lo - 1);
    const b = Math.min(atOrBeforeMs, this.hi - 1);
    return b <= a ? 0 : Math.max(0, this.indexAtOrBefore(b) - this.indexAtOrBefore(a));
  }
}

/** Compiles a validated trigger (contracts' ScheduleTriggerSchema) into its timeline. */
export function compileTrigger(trigger: ScheduleTrigger, bounds: TriggerBounds = {}): TriggerTimeline {
  const lo = bounds.startAtMs ?? -Infinity;
  const hi = bounds.endAtMs ?? Infinity;
  if (trigger.kind === 'cron') return new CronTimeline(trigger.expression, trigger.timezone, lo, hi);
  const anchor = trigger.anchor !== undefined ? Date.parse(trigger.anchor) : Number.isFinite(lo) ? lo : 0;
  return new IntervalTimeline(trigger.everyMs, anchor, lo, hi);
}
