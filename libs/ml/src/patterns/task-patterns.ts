import { RandomSource } from '../common/random';
import { PatternError, Standardiser, fitStandardiser, nearestCentroid, selectKBySilhouette, standardise, toPoints } from './kmeans';

/** A finished task as pattern analysis sees it. */
export interface TaskProfile {
  readonly durationSeconds: number;
  /** Requested cores per instance. */
  readonly cpuCores: number;
  /** Requested memory per instance as a fraction of a machine (0..1). */
  readonly memFraction: number;
  readonly instances: number;
}

export interface TaskPattern {
  readonly cluster: number;
  readonly size: number;
  readonly share: number;
  readonly medianDurationSeconds: number;
  readonly medianCpuCores: number;
  readonly medianMemFraction: number;
  readonly medianInstances: number;
  readonly description: string;
}

export interface TaskPatternModel {
  readonly k: number;
  readonly standardiser: { mean: number[]; std: number[] };
  /** k × 4 centroids in standardised feature space. */
  readonly centroids: number[];
  readonly patterns: readonly TaskPattern[];
  readonly silhouetteByK: ReadonlyArray<{ k: number; silhouette: number; inertia: number }>;
}

export interface TaskPatternOptions {
  readonly kMin: number;
  readonly kMax: number;
  /** Points used for fitting (random sample when the input is larger). */
  readonly maxPoints: number;
  readonly maxSilhouetteSample: number;
}

const DEFAULT_OPTIONS: TaskPatternOptions = { kMin: 2, kMax: 8, maxPoints: 20_000, maxSilhouetteSample: 1500 };

/** Log scales keep a few huge tasks from owning the distance metric. */
export function taskPatternFeatures(t: TaskProfile): number[] {
  return [Math.log1p(t.durationSeconds), t.cpuCores, Math.log1p(t.memFraction * 100), Math.log1p(t.instances)];
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function formatDuration(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 10) return `${+s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function validate(t: TaskProfile, i: number): void {
  for (const [k, v] of Object.entries(t)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new PatternError('INVALID_INPUT', `task ${i} field ${k} must be a non-negative number, got ${String(v)}`);
  }
}

/**
 * k-means over standardised task features with k chosen by silhouette, plus a description per cluster
 * relative to the whole population ("short CPU-light tasks: median 12 s, 0.5 core, …").
 */
export function analyseTaskPatterns(tasks: readonly TaskProfile[], random: RandomSource, options: Partial<TaskPatternOptions> = {}): TaskPatternModel {
  const o = { ...DEFAULT_OPTIONS, ...options };
  tasks.forEach(validate);
  if (tasks.length <= o.kMin) throw new PatternError('INVALID_INPUT', `need more than ${o.kMin} tasks for pattern analysis, got ${tasks.length}`);
  let sample = tasks;
  if (tasks.length > o.maxPoints) {
    const picked: TaskProfile[] = [];
    for (let i = 0; i < tasks.length; i++) if (random() < o.maxPoints / tasks.length) picked.push(tasks[i]);
    sample = picked;
  }
  const raw = toPoints(sample.map(taskPatternFeatures));
  const st: Standardiser = fitStandardiser(raw);
  const pts = standardise(raw, st);
  const sel = selectKBySilhouette(pts, o.kMin, o.kMax, random, { maxSilhouetteSample: o.maxSilhouetteSample });
  const { best } = sel;
  // Label every task (not only the sample) so sizes and medians describe the whole input.
  const members: TaskProfile[][] = Array.from({ length: best.k }, () => []);
  for (const t of tasks) {
    const f = taskPatternFeatures(t).map((v, d) => (v - st.mean[d]) / st.std[d]);
    members[nearestCentroid(best.centroids, 4, f)].push(t);
  }
  // Words are relative to the clusters themselves (geometric mean of their medians), so a majority
  // cluster of short tasks is still called short rather than "typical".
  const medians = members.filter((m) => m.length > 0).map((m) => ({
    dur: median(m.map((t) => t.durationSeconds)),
    cpu: median(m.map((t) => t.cpuCores)),
    mem: median(m.map((t) => t.memFraction)),
    inst: median(m.map((t) => t.instances)),
  }));
  const geo = (f: (x: (typeof medians)[number]) => number, floor: number): number =>
    Math.exp(medians.reduce((a, x) => a + Math.log(Math.max(floor, f(x))), 0) / medians.length);
  const all = { dur: geo((x) => x.dur, 1), cpu: geo((x) => x.cpu, 0.01), mem: geo((x) => x.mem, 1e-5), inst: geo((x) => x.inst, 1) };
  const patterns = members.map((m, cluster): TaskPattern => {
    const dur = median(m.map((t) => t.durationSeconds));
    const cpu = median(m.map((t) => t.cpuCores));
    const mem = median(m.map((t) => t.memFraction));
    const inst = median(m.map((t) => t.instances));
    const share = m.length / tasks.length;
    // Relative words, but never one the absolute figure beside it contradicts: nothing under a second
    // is "medium-length", nothing under a minute "long", no "memory-heavy" below 10 % of a node's
    // memory, no "CPU-heavy" below one core.
    const length = dur < 1 ? 'sub-second' : dur >= 4 * all.dur && dur >= 60 ? 'long' : dur <= all.dur / 4 || dur < 10 ? 'short' : 'medium-length';
    const cpuWord = cpu > all.cpu * 1.25 && cpu >= 1 ? 'CPU-heavy' : cpu < all.cpu * 0.8 ? 'CPU-light' : 'typical-CPU';
    const memWord = mem > all.mem * 1.5 && mem >= 0.1 ? ', memory-heavy' : mem < all.mem / 1.5 ? ', memory-light' : '';
    const width = inst >= 4 * all.inst ? 'wide' : inst <= all.inst / 4 ? 'narrow' : '';
    const adjectives = [length, cpuWord + memWord, width].filter((w) => w !== '').join(' ');
    const description =
      m.length === 0
        ? 'empty cluster'
        : `${adjectives} tasks: median ${formatDuration(dur)}, ${+cpu.toFixed(2)} core, ${+(mem * 100).toFixed(2)} % mem, ` +
          `${Math.round(inst)} instance${Math.round(inst) === 1 ? '' : 's'}, ${(share * 100).toFixed(0)} % of tasks`;
    return {
      cluster,
      size: m.length,
      share,
      medianDurationSeconds: dur,
      medianCpuCores: cpu,
      medianMemFraction: mem,
      medianInstances: inst,
      description,
    };
  });
  return {
    k: best.k,
    standardiser: { mean: Array.from(st.mean), std: Array.from(st.std) },
    centroids: Array.from(best.centroids),
    patterns,
    silhouetteByK: sel.scores,
  };
}

/** Assigns a new task to its pattern (nearest centroid in the model's standardised space). */
export function assignTaskPattern(model: TaskPatternModel, t: TaskProfile): number {
  const f = taskPatternFeatures(t).map((v, d) => (v - model.standardiser.mean[d]) / model.standardiser.std[d]);
  return nearestCentroid(Float64Array.from(model.centroids), 4, f);
}
