import { EventHeap } from '../sim/event-heap';
import { ScheduleError } from './schedule.errors';
import type { TimerService } from './timer.port';

export interface DueEntry<T> {
  readonly fireAtMs: number;
  readonly item: T;
}

export interface TickWheelOptions {
  /**
   * Most entries handed over per timer callback; the rest follow on the next turn of the event loop,
   * so a burst cannot hold the loop for longer than one batch. Default 5,000.
   */
  readonly maxBatch?: number;
}

/**
 * Planned ticks waiting for their firing instant: a binary min-heap on (fireAt, insertion order)
 * with a single timer armed for the earliest entry. O(log n) per tick; when a timer fires, every
 * entry already due is handed over in one batch (one database round trip per batch in the
 * follow-up, not one per schedule). Entries are never removed: the owner drops stale ones when
 * they come due (a generation check), which keeps add and fire cheap.
 */
export class TickWheel<T> {
  private readonly heap = new EventHeap<T>();
  private readonly maxBatch: number;
  private armedAt = Infinity;
  private cancelArmed: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly timer: TimerService,
    private readonly onDue: (due: DueEntry<T>[], nowMs: number) => void,
    options: TickWheelOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 5_000;
    if (!(Number.isInteger(this.maxBatch) && this.maxBatch >= 1)) throw new ScheduleError('invalid_option', `TickWheel: maxBatch must be an integer ≥ 1, got ${this.maxBatch}`);
  }

  get size(): number {
    return this.heap.size;
  }

  /** The earliest firing instant waiting, or Infinity. */
  get nextFireAtMs(): number {
    return this.heap.peekTime();
  }

  add(fireAtMs: number, item: T): void {
    if (!Number.isFinite(fireAtMs)) throw new ScheduleError('invalid_option', `TickWheel: fireAtMs must be finite, got ${fireAtMs}`);
    this.heap.push(fireAtMs, item);
    if (fireAtMs < this.armedAt) this.arm();
  }

  /** Stops the timer; entries stay, and `resume` re-arms it. */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  resume(): void {
    this.stopped = false;
    this.arm();
  }

  private disarm(): void {
    this.cancelArmed?.();
    this.cancelArmed = null;
    this.armedAt = Infinity;
  }

  private arm(): void {
    if (this.stopped) return;
    const at = this.heap.peekTime();
    if (at >= this.armedAt) return;
    this.disarm();
    if (at === Infinity) return;
    this.armedAt = at;
    this.cancelArmed = this.timer.setTimer(Math.max(0, at - this.timer.nowMs()), () => this.fire());
  }

  private fire(): void {
    this.cancelArmed = null;
    this.armedAt = Infinity;
    if (this.stopped) return;
    const now = this.timer.nowMs();
    const due: DueEntry<T>[] = [];
    while (due.length < this.maxBatch && this.heap.peekTime() <= now) {
      const e = this.heap.pop();
      if (e === undefined) break;
      due.push({ fireAtMs: e.time, item: e.item });
    }
    try {
      if (due.length > 0) this.onDue(due, now);
    } finally {
      this.arm();
    }
  }
}
