// Time is always injected: the live executor passes a wall clock, the simulator its virtual clock.
export interface Clock {
  /** Seconds (may be fractional) on the caller's time axis. */
  now(): number;
}

export class ManualClock implements Clock {
  constructor(private t = 0) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
}

/** Seedable PRNG (mulberry32); every random choice in the core goes through one of these. */
export interface Rng {
  next(): number;
}

export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** The same generator as a plain function returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  const rng = seededRng(seed);
  return () => rng.next();
}
