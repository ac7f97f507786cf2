import { SchedulingError } from '../model/errors';
import type { Task } from '../model/task.model';
import { fnv1a } from '../placement/consistent-hash.placement';
import type { DurationPredictor } from '../traces/duration-estimator';
import { instanceNoiseFactors, type DurationNoise } from './duration-noise';

/**
 * Which part of a trace a replay runs: pure functions shared by `bench schedule` and the live replay,
 * so both cut the same window with the same instance cap and job sample.
 */

/** Tasks arriving in [start, end) (trace seconds). */
export interface ArrivalWindow {
  readonly start: number;
  readonly end: number;
}

/** `a:b` in trace seconds, or `a%:b%` in percent of the trace's arrival span (either end may be empty). */
export type WindowSpec = { readonly unit: 'seconds' | 'percent'; readonly from?: number; readonly to?: number };

export function parseWindowSpec(text: string): WindowSpec {
  const m = /^\s*([^:]*):([^:]*)\s*$/.exec(text);
  const bad = (why: string): never => {
    throw new SchedulingError('INVALID_ARGUMENT', `window "${text}": ${why} (use start:end in trace seconds, or 50%:100%)`);
  };
  if (!m) return bad('expected start:end');
  const parts = [m[1] ?? '', m[2] ?? ''].map((s) => s.trim());
  const pct = parts.filter((p) => p.endsWith('%')).length;
  if (pct !== 0 && parts.some((p) => p !== '' && !p.endsWith('%'))) bad('mixes seconds and percent');
  const unit = pct > 0 ? 'percent' : 'seconds';
  const [from, to] = parts.map((p) => {
    if (p === '') return undefined;
    const x = Number(unit === 'percent' ? p.slice(0, -1) : p);
    if (!Number.isFinite(x)) return bad(`"${p}" is not a number`);
    if (unit === 'percent' && (x < 0 || x > 100)) bad(`"${p}" is outside 0%–100%`);
    return x;
  });
  if (from !== undefined && to !== undefined && to <= from) bad('end must be after start');
  return { unit, from, to };
}

/** The trace-seconds window a spec means for these tasks (percent of first → last arrival; 100% includes the last). */
export function resolveWindow(spec: WindowSpec, tasks: readonly Pick<Task, 'arrival'>[]): ArrivalWindow {
  if (spec.unit === 'seconds') return { start: spec.from ?? -Infinity, end: spec.to ?? Infinity };
  let first = Infinity;
  let last = -Infinity;
  for (const t of tasks) {
    first = Math.min(first, t.arrival);
    last = Math.max(last, t.arrival);
  }
  const at = (p: number | undefined, open: number): number => (p === undefined ? open : p >= 100 ? Infinity : first + (p / 100) * (last - first));
  return { start: at(spec.from, -Infinity), end: at(spec.to, Infinity) };
}

export function selectArrivalWindow<T extends Pick<Task, 'arrival'>>(tasks: readonly T[], w: ArrivalWindow): T[] {
  return tasks.filter((t) => t.arrival >= w.start && t.arrival < w.end);
}

/** At most `cap` instances per task (undefined or 0: as in the trace). Instance i keeps its noise draw. */
export function capInstances(tasks: readonly Task[], cap: number | undefined): Task[] {
  if (cap === undefined || cap === 0) return tasks.slice();
  if (!Number.isInteger(cap) || cap < 1) throw new SchedulingError('INVALID_ARGUMENT', `instance cap must be a positive integer, got ${cap}`);
  return tasks.map((t) => (t.instances > cap ? { ...t, instances: cap } : t));
}

/**
 * Keep only jobs with hash(job) in the lowest `fraction` (1 = all). Thinning whole jobs keeps every
 * task's shape and the arrival pattern while shrinking the cluster the replay needs.
 */
export function sampleJobs<T extends Pick<Task, 'jobId'>>(tasks: readonly T[], fraction: number): T[] {
  if (!(fraction > 0 && fraction <= 1)) throw new SchedulingError('INVALID_ARGUMENT', `job sample must be in (0, 1], got ${fraction}`);
  if (fraction >= 1) return tasks.slice();
  return tasks.filter((t) => (fnv1a(`s${t.jobId}`) % 100_000) / 100_000 < fraction);
}

/**
 * Time split (../shared/BENCHMARKS.md "Data splits"): the tasks' arrival span [first, last] is cut at
 * first + fraction × (last − first); the earlier part trains (and validates), the later part is
 * reported.
 */
export function splitByArrival<T extends Pick<Task, 'arrival'>>(tasks: readonly T[], fraction: number): { earlier: T[]; later: T[]; splitAt: number } {
  if (!(fraction > 0 && fraction < 1)) throw new SchedulingError('INVALID_ARGUMENT', `train fraction must be in (0, 1), got ${fraction}`);
  let first = Infinity;
  let last = -Infinity;
  for (const t of tasks) {
    first = Math.min(first, t.arrival);
    last = Math.max(last, t.arrival);
  }
  const splitAt = first + fraction * (last - first);
  return { earlier: tasks.filter((t) => t.arrival < splitAt), later: tasks.filter((t) => t.arrival >= splitAt), splitAt };
}

/**
 * Warms a predictor with the history a replay starting at `before` may know: every instance (its
 * realised run time) of the `history` tasks that had ended in the trace by then (arrival + span ≤
 * `before`). Returns how many tasks it fed. What arrives later is learnt online in simulated time.
 */
export function observeHistory(predictor: DurationPredictor, history: readonly Task[], noise: DurationNoise, before: number): number {
  let fed = 0;
  for (const t of history) {
    const span = t.duration.actual;
    if (span === undefined || t.arrival + span > before) continue;
    const f = instanceNoiseFactors(t.id, t.instances, noise);
    for (let i = 0; i < t.instances; i++) predictor.observe(t, span * (f[i] as number), t.arrival + span);
    fed++;
  }
  return fed;
}
