import { Cron } from 'croner';
import type { ScheduleTrigger } from '@kairos/contracts';
import { ScheduleError } from './schedule.errors';
import { zoneOffsets, type ZoneOffsets } from './zone-offsets';

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
  /** Croner in the trigger's zone: exact, DST rules included, ≈ 150–250 µs a call (Intl conversions). */
  private readonly cron: Cron;
  /** Named zones: the zone's offset table, and croner at UTC (≈ 20 µs a call) for shifted instants. */
  private readonly offsets: ZoneOffsets | null;
  private readonly utc: Cron | null;

  constructor(
    expression: string,
    timezone: string,
    private readonly lo: number,
    private readonly hi: number,
  ) {
    const utc = FIXED_OFFSET_ZONES.has(timezone.toLowerCase());
    try {
      this.cron = new Cron(expression, { paused: true, mode: '5-or-6-parts', ...(utc ? { utcOffset: 0 } : { timezone }) });
    } catch (e) {
      throw new ScheduleError('invalid_schedule', `trigger.expression: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.offsets = utc ? null : zoneOffsets(timezone);
    this.utc = utc ? null : new Cron(expression, { paused: true, mode: '5-or-6-parts', utcOffset: 0 });
  }

  /**
   * Between two offset changes a zone is a fixed offset: local time = UTC + offset, so the next
   * local match is croner-at-UTC's next match after (after + offset), shifted back. That is the
   * zoned answer whenever no offset change lies in (after, candidate]; otherwise (a DST transition
   * is crossed) the zoned croner decides, with its DST rules. Tested against croner in the zone.
   */
  private zonedNext(afterMs: number): number | null {
    if (this.offsets !== null && this.utc !== null) {
      const shift = this.offsets.offsetAt(afterMs) * 60_000;
      const c = this.utc.nextRun(new Date(afterMs + shift));
      if (c !== null) {
        const t = c.getTime() - shift;
        if (!this.offsets.changesBetween(afterMs, t)) return t;
      }
    }
    const z = this.cron.nextRun(new Date(afterMs));
    return z === null ? null : z.getTime();
  }

  nextAfter(afterMs: number): number | null {
    const t = this.zonedNext(Math.max(afterMs, this.lo - 1));
    return t !== null && t < this.hi ? t : null;
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
