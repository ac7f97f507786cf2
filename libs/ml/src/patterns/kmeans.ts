import { RandomSource, sampleIndices } from '../common/random';

export type PatternErrorCode = 'INVALID_INPUT' | 'INVALID_PARAMS';

export class PatternError extends Error {
  constructor(
    readonly code: PatternErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PatternError';
  }
}

/** Row-major points: point i, dimension d at values[i * dims + d]. */
export interface Points {
  readonly values: Float64Array;
  readonly n: number;
  readonly dims: number;
}

export function toPoints(rows: ReadonlyArray<ArrayLike<number>>): Points {
  const dims = rows.length > 0 ? rows[0].length : 0;
  const values = new Float64Array(rows.length * dims);
  rows.forEach((r, i) => {
    if (r.length !== dims) throw new PatternError('INVALID_INPUT', `point ${i} has ${r.length} dimensions, expected ${dims}`);
    for (let d = 0; d < dims; d++) {
      if (!Number.isFinite(r[d])) throw new PatternError('INVALID_INPUT', `point ${i} dimension ${d} is not finite (${r[d]})`);
      values[i * dims + d] = r[d];
    }
  });
  return { values, n: rows.length, dims };
}

export interface Standardiser {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** z-scores per dimension (constant dimensions get std 1 so they become 0, not NaN). */
export function fitStandardiser(p: Points): Standardiser {
  const mean = new Float64Array(p.dims);
  const std = new Float64Array(p.dims);
  for (let i = 0; i < p.n; i++) for (let d = 0; d < p.dims; d++) mean[d] += p.values[i * p.dims + d] / p.n;
  for (let i = 0; i < p.n; i++) for (let d = 0; d < p.dims; d++) std[d] += (p.values[i * p.dims + d] - mean[d]) ** 2 / p.n;
  for (let d = 0; d < p.dims; d++) std[d] = Math.sqrt(std[d]) || 1;
  return { mean, std };
}

export function standardise(p: Points, s: Standardiser): Points {
  const values = new Float64Array(p.values.length);
  for (let i = 0; i < p.n; i++) for (let d = 0; d < p.dims; d++) values[i * p.dims + d] = (p.values[i * p.dims + d] - s.mean[d]) / s.std[d];
  return { values, n: p.n, dims: p.dims };
}

function dist2(a: Float64Array, ai: number, b: Float64Array, bi: number, dims: number): number {
  let s = 0;
  for (let d = 0; d < dims; d++) {
    const x = a[ai + d] - b[bi + d];
    s += x * x;
  }
  return s;
}

export interface KMeansResult {
  readonly k: number;
  /** k × dims, row-major. */
  readonly centroids: Float64Array;
  readonly labels: Int32Array;
  readonly inertia: number;
  readonly iterations: number;
}

export interface KMeansOptions {
  readonly maxIterations: number;
  /** Independent k-means++ restarts; the lowest inertia wins. */
  readonly restarts: number;
  readonly tolerance: number;
}

const DEFAULT_KMEANS: KMeansOptions = { maxIterations: 100, restarts: 3, tolerance: 1e-6 };

function kmeansPlusPlus(p: Points, k: number, random: RandomSource): Float64Array {
  const { values, n, dims } = p;
  const c = new Float64Array(k * dims);
  const first = Math.floor(random() * n);
  c.set(values.subarray(first * dims, (first + 1) * dims), 0);
  const best = new Float64Array(n).fill(Infinity);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = dist2(values, i * dims, c, (j - 1) * dims, dims);
      if (d < best[i]) best[i] = d;
      total += best[i];
    }
    let pick = n - 1;
    if (total > 0) {
      let r = random() * total;
      for (let i = 0; i < n; i++) {
        r -= best[i];
        if (r <= 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = Math.floor(random() * n);
    }
    c.set(values.subarray(pick * dims, (pick + 1) * dims), j * dims);
  }
  return c;
}

function lloyd(p: Points, init: Float64Array, k: number, o: KMeansOptions): KMeansResult {
  const { values, n, dims } = p;
  const c = init.slice();
  const labels = new Int32Array(n);
  const sums = new Float64Array(k * dims);
  const counts = new Float64Array(k);
  let inertia = Infinity;
  let it = 0;
  for (; it < o.maxIterations; it++) {
    let newInertia = 0;
    for (let i = 0; i < n; i++) {
      let bj = 0;
      let bd = Infinity;
      for (let j = 0; j < k; j++) {
        const d = dist2(values, i * dims, c, j * dims, dims);
        if (d < bd) {
          bd = d;
          bj = j;
        }
      }
      labels[i] = bj;
      newInertia += bd;
    }
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = labels[i];
      counts[j]++;
      for (let d = 0; d < dims; d++) sums[j * dims + d] += values[i * dims + d];
    }
    // An emptied cluster keeps its old centroid; k-means++ makes this rare.
    for (let j = 0; j < k; j++) if (counts[j] > 0) for (let d = 0; d < dims; d++) c[j * dims + d] = sums[j * dims + d] / counts[j];
    const converged = inertia - newInertia <= o.tolerance * Math.max(1, inertia);
    inertia = newInertia;
    if (converged) {
      it++;
      break;
    }
  }
  return { k, centroids: c, labels, inertia, iterations: it };
}

/** k-means with k-means++ seeding; deterministic for a given random source. */
export function kMeans(p: Points, k: number, random: RandomSource, options: Partial<KMeansOptions> = {}): KMeansResult {
  const o = { ...DEFAULT_KMEANS, ...options };
  if (!Number.isInteger(k) || k < 1) throw new PatternError('INVALID_PARAMS', `k must be a positive integer, got ${k}`);
  if (p.n < k) throw new PatternError('INVALID_INPUT', `need at least k=${k} points, got ${p.n}`);
  let best: KMeansResult | null = null;
  for (let r = 0; r < Math.max(1, o.restarts); r++) {
    const res = lloyd(p, kmeansPlusPlus(p, k, random), k, o);
    if (!best || res.inertia < best.inertia) best = res;
  }
  return best as KMeansResult;
}

/** Index of the nearest centroid for one point. */
export function nearestCentroid(centroids: Float64Array, dims: number, point: ArrayLike<number>): number {
  const k = centroids.length / dims;
  let bj = 0;
  let bd = Infinity;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let d = 0; d < dims; d++) s += (point[d] - centroids[j * dims + d]) ** 2;
    if (s < bd) {
      bd = s;
      bj = j;
    }
  }
  return bj;
}

/**
 * Mean silhouette over a sample (exact when the sample covers every point). Silhouette is O(n²), so
 * big inputs are scored on `maxSample` points drawn with the injected random source.
 */
export function silhouette(p: Points, labels: Int32Array, k: number, random: RandomSource, maxSample = 2000): number {
  if (k < 2) return 0;
  const idx = p.n <= maxSample ? Uint32Array.from({ length: p.n }, (_, i) => i) : sampleIndices(p.n, maxSample, random);
  const { values, dims } = p;
  const sum = new Float64Array(k);
  const cnt = new Float64Array(k);
  let total = 0;
  for (let a = 0; a < idx.length; a++) {
    const i = idx[a];
    sum.fill(0);
    cnt.fill(0);
    for (let b = 0; b < idx.length; b++) {
      if (a === b) continue;
      const j = idx[b];
      sum[labels[j]] += Math.sqrt(dist2(values, i * dims, values, j * dims, dims));
      cnt[labels[j]]++;
    }
    const own = labels[i];
    if (cnt[own] === 0) continue; // singleton: silhouette 0 by convention
    const ai = sum[own] / cnt[own];
    let bi = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && cnt[c] > 0) bi = Math.min(bi, sum[c] / cnt[c]);
    if (bi === Infinity) continue;
    total += (bi - ai) / Math.max(ai, bi);
  }
  return total / idx.length;
}

export interface KSelection {
  readonly best: KMeansResult;
  readonly scores: ReadonlyArray<{ k: number; silhouette: number; inertia: number }>;
}

/** Runs k-means for each k in [kMin, kMax] and keeps the k with the highest (sampled) silhouette. */
export function selectKBySilhouette(
  p: Points,
  kMin: number,
  kMax: number,
  random: RandomSource,
  options: Partial<KMeansOptions> & { maxSilhouetteSample?: number } = {},
): KSelection {
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 2 || kMax < kMin) {
    throw new PatternError('INVALID_PARAMS', `need integers 2 ≤ kMin ≤ kMax, got ${kMin}..${kMax}`);
  }
  const top = Math.min(kMax, p.n - 1);
  if (top < kMin) throw new PatternError('INVALID_INPUT', `need more than ${kMin} points to choose k, got ${p.n}`);
  const scores: Array<{ k: number; silhouette: number; inertia: number }> = [];
  let best: KMeansResult | null = null;
  let bestScore = -Infinity;
  for (let k = kMin; k <= top; k++) {
    const res = kMeans(p, k, random, options);
    const s = silhouette(p, res.labels, k, random, options.maxSilhouetteSample);
    scores.push({ k, silhouette: s, inertia: res.inertia });
    if (s > bestScore + 1e-12) {
      bestScore = s;
      best = res;
    }
  }
  return { best: best as KMeansResult, scores };
}
