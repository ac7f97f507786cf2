import { seededRng, type Rng } from '../model/clock';
import { SchedulingError } from '../model/errors';
import type { Task } from '../model/task.model';
import { fnv1a } from '../placement/consistent-hash.placement';

/**
 * Per-instance duration noise (../shared/BENCHMARKS.md "Instance durations"). A trace gives one span
 * per task; instance i of a task runs
 *
 *     d_i = span · exp(σ·Z_i − σ²/2),   Z_i ~ N(0, 1)
 *
 * a mean-preserving lognormal (E[exp(σZ − σ²/2)] = 1, so E[d_i] = span and the offered load does not
 * move with σ). σ = 0 gives d_i = span exactly (the simulator before 2026-11). Z_i come from a stream
 * seeded by (seed, task id) only, so a task's draws do not depend on which other tasks are replayed
 * (window, job sample) nor on the instance cap (instance i always gets the i-th draw): the live
 * replay and the simulator get the very same d_i for the same (trace, seed, σ).
 */
export interface DurationNoise {
  readonly sigma: number;
  readonly seed: number;
}

export const DEFAULT_NOISE_SIGMA = 0.5;

/** Realised per-instance run times (seconds) of a list of tasks, flat: task k's are seconds[offsets[k] … offsets[k+1]). */
export interface RealisedDurations {
  readonly noise: DurationNoise;
  readonly offsets: Uint32Array;
  readonly seconds: Float64Array;
}

/** 32-bit avalanche (murmur3's finaliser): spreads a hash so nearby seeds give unrelated streams. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Seed of the stream that belongs to (`seed`, `key`): the same key always gets the same stream. */
export function streamSeed(seed: number, key: string): number {
  return mix32(fnv1a(key) ^ mix32(seed >>> 0));
}

/** Standard normal pairs by Box–Muller from a uniform stream (both outputs are used, in order). */
export class NormalStream {
  private spare: number | null = null;
  constructor(private readonly rng: Rng) {}
  next(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    const u1 = 1 - this.rng.next(); // (0, 1]: log is finite
    const u2 = this.rng.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

function validateNoise(noise: DurationNoise): void {
  if (!Number.isFinite(noise.sigma) || noise.sigma < 0) throw new SchedulingError('INVALID_ARGUMENT', `noise sigma must be a finite number ≥ 0, got ${noise.sigma}`);
  if (!Number.isInteger(noise.seed)) throw new SchedulingError('INVALID_ARGUMENT', `noise seed must be an integer, got ${noise.seed}`);
}

/** The multiplicative factors exp(σ·Z_i − σ²/2) of a task's first `instances` instances. */
export function instanceNoiseFactors(taskId: string, instances: number, noise: DurationNoise): Float64Array {
  validateNoise(noise);
  const out = new Float64Array(instances);
  if (noise.sigma === 0) return out.fill(1);
  const z = new NormalStream(seededRng(streamSeed(noise.seed, `duration:${taskId}`)));
  const shift = (noise.sigma * noise.sigma) / 2;
  for (let i = 0; i < instances; i++) out[i] = Math.exp(noise.sigma * z.next() - shift);
  return out;
}

/**
 * Realised run time of every instance of every task: span (`duration.actual`) × the task's noise
 * factors. A pure function of (tasks, seed, σ).
 */
export function realiseInstanceDurations(tasks: readonly Pick<Task, 'id' | 'instances' | 'duration'>[], noise: DurationNoise): RealisedDurations {
  validateNoise(noise);
  const offsets = new Uint32Array(tasks.length + 1);
  for (let k = 0; k < tasks.length; k++) offsets[k + 1] = (offsets[k] as number) + (tasks[k] as Task).instances;
  const seconds = new Float64Array(offsets[tasks.length] as number);
  tasks.forEach((t, k) => {
    const span = t.duration.actual;
    if (span === undefined || !(span >= 0) || !Number.isFinite(span)) {
      throw new SchedulingError('INVALID_TASK', `task ${t.id}: realised durations need duration.actual (the trace span), got ${String(span)}`);
    }
    const f = instanceNoiseFactors(t.id, t.instances, noise);
    const base = offsets[k] as number;
    for (let i = 0; i < t.instances; i++) seconds[base + i] = span * (f[i] as number);
  });
  return { noise, offsets, seconds };
}

/** Run time of instance `instance` of task number `taskIndex`. */
export function realisedDuration(d: RealisedDurations, taskIndex: number, instance: number): number {
  return d.seconds[(d.offsets[taskIndex] as number) + instance] as number;
}

/** Mean realised run time of task number `taskIndex`'s instances. */
export function meanRealisedDuration(d: RealisedDurations, taskIndex: number): number {
  const a = d.offsets[taskIndex] as number;
  const b = d.offsets[taskIndex + 1] as number;
  let s = 0;
  for (let i = a; i < b; i++) s += d.seconds[i] as number;
  return b > a ? s / (b - a) : 0;
}

/**
 * The random outcome of one attempt, drawn from a stream keyed by (seed, task, instance, attempt) so
 * every policy sees the same failures for the same attempt (common random numbers) however it orders
 * the work: `fails` with probability p, at `failFraction` of its run time, and `jitter` ∈ [0, 1) for
 * the retry delay that follows.
 */
export interface AttemptDraw {
  readonly fails: boolean;
  readonly failFraction: number;
  readonly jitter: number;
}

/** Per-task seed of the attempt draws (compute once per task, then call `drawAttempt`). */
export function attemptStreamSeed(seed: number, taskId: string): number {
  return streamSeed(seed, `attempt:${taskId}`);
}

export function drawAttempt(taskStream: number, instance: number, attempt: number, failureProbability: number): AttemptDraw {
  const rng = seededRng(mix32(taskStream ^ mix32(Math.imul(instance + 1, 0x9e3779b1) ^ Math.imul(attempt, 0x85ebca77))));
  const u = rng.next();
  return { fails: u < failureProbability, failFraction: rng.next(), jitter: rng.next() };
}
