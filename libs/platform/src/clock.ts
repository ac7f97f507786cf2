/** Time as a port: services ask a Clock, tests hand in a fake one (libs/testing FakeClock). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => Date.now() };
