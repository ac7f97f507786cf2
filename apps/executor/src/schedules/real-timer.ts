import type { TimerService } from '@kairos/scheduling-core';

/** The schedules core's timer on Node: epoch ms with performance.now resolution; setImmediate for 0. */
export const realTimer: TimerService = {
  nowMs: () => performance.timeOrigin + performance.now(),
  setTimer(delayMs, fn) {
    if (delayMs <= 0) {
      const h = setImmediate(fn);
      return () => clearImmediate(h);
    }
    const h = setTimeout(fn, Math.ceil(delayMs));
    return () => clearTimeout(h);
  },
};
