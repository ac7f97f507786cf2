import { EventHeap } from '../sim/event-heap';
import type { TimerService } from './timer.port';

/**
 * Virtual time for tests and simulations: timers run only when `advanceTo`/`advanceBy` moves the
 * clock past them, in (time, creation) order; a timer set for now runs in the same advance.
 */
export class ManualTimer implements TimerService {
  private readonly heap = new EventHeap<{ fn: () => void; cancelled: boolean }>();

  constructor(private now = 0) {}

  nowMs(): number {
    return this.now;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const entry = { fn, cancelled: false };
    this.heap.push(this.now + Math.max(0, delayMs), entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Timers set and not yet run (cancelled ones included until their time passes). */
  get queued(): number {
    return this.heap.size;
  }

  /** Runs every timer due at or before `t` (including ones they set), then sets the clock to `t`. */
  advanceTo(t: number): void {
    for (;;) {
      const at = this.heap.peekTime();
      if (at > t) break;
      const e = this.heap.pop();
      if (e === undefined) break;
      this.now = Math.max(this.now, e.time);
      if (!e.item.cancelled) e.item.fn();
    }
    this.now = Math.max(this.now, t);
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.now + ms);
  }
}
