// Time for the schedules core is injected: the follow-up binds these to Date.now/performance and
// setTimeout/setImmediate; tests and the simulator use ManualTimer (virtual time).

/** Wall-clock time in epoch milliseconds (may be fractional). */
export interface ScheduleClock {
  nowMs(): number;
}

export interface TimerService extends ScheduleClock {
  /**
   * Calls `fn` once, `delayMs` from now (0: on the next turn of the event loop, setImmediate in
   * Node); returns a function that cancels it.
   */
  setTimer(delayMs: number, fn: () => void): () => void;
}
