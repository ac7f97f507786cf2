/** Time as a port: services ask a Clock, tests hand in a fake one (libs/testing FakeClock). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Timers on Node for code that plans in epoch milliseconds (the schedules core's TimerService shape):
 * epoch ms with performance.now resolution; setImmediate for a delay of 0 or less.
 */
export const realTimer = {
  nowMs: (): number => performance.timeOrigin + performance.now(),
  setTimer(delayMs: number, fn: () => void): () => void {
    if (delayMs <= 0) {
      const h = setImmediate(fn);
      return () => clearImmediate(h);
    }
    const h = setTimeout(fn, Math.ceil(delayMs));
    return () => clearTimeout(h);
  },
};
