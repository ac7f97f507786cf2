import { SemanticFeatureError } from './semantic.errors';
import type { SparseVector } from './hashed-ngram.vectorizer';

export interface SparseRidgeModel {
  /** Intercept: the training mean of the target. */
  readonly intercept: number;
  /** Dense weights over the hashed space (2^bits). */
  readonly weights: Float64Array;
}

function dot(row: SparseVector, w: Float64Array): number {
  let s = 0;
  for (let k = 0; k < row.index.length; k++) s += row.value[k] * w[row.index[k]];
  return s;
}

/**
 * Ridge regression on sparse rows: minimise Σ (y − ȳ − x·w)² + λ‖w‖², solved by conjugate gradients on
 * (XᵀX + λI) w = Xᵀ(y − ȳ) with X applied sparsely, so 2^12 hashed columns cost O(iterations · nnz).
 * The intercept is not penalised (the target is centred first). Stops when ‖residual‖² ≤ tolerance · ‖Xᵀ(y − ȳ)‖².
 */
export function fitSparseRidge(rows: readonly SparseVector[], y: ArrayLike<number>, dim: number, lambda: number, maxIterations = 200, tolerance = 1e-8): SparseRidgeModel {
  if (rows.length !== y.length) throw new SemanticFeatureError('INVALID_INPUT', `${rows.length} rows but ${y.length} targets`);
  if (!(lambda > 0)) throw new SemanticFeatureError('INVALID_CONFIG', `ridge lambda must be > 0, got ${lambda}`);
  const n = rows.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean = n > 0 ? mean / n : 0;
  const w = new Float64Array(dim);
  if (n === 0) return { intercept: 0, weights: w };
  const applyA = (v: Float64Array, out: Float64Array): void => {
    for (let j = 0; j < dim; j++) out[j] = lambda * v[j];
    for (const r of rows) {
      const s = dot(r, v);
      for (let k = 0; k < r.index.length; k++) out[r.index[k]] += r.value[k] * s;
    }
  };
  const b = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const c = y[i] - mean;
    for (let k = 0; k < r.index.length; k++) b[r.index[k]] += r.value[k] * c;
  }
  // CG from w = 0: residual r = b.
  const res = Float64Array.from(b);
  const p = Float64Array.from(b);
  const ap = new Float64Array(dim);
  let rr = 0;
  for (let j = 0; j < dim; j++) rr += res[j] * res[j];
  const stop = tolerance * Math.max(rr, 1e-300);
  for (let it = 0; it < maxIterations && rr > stop; it++) {
    applyA(p, ap);
    let pap = 0;
    for (let j = 0; j < dim; j++) pap += p[j] * ap[j];
    const alpha = rr / pap;
    let next = 0;
    for (let j = 0; j < dim; j++) {
      w[j] += alpha * p[j];
      res[j] -= alpha * ap[j];
      next += res[j] * res[j];
    }
    const beta = next / rr;
    for (let j = 0; j < dim; j++) p[j] = res[j] + beta * p[j];
    rr = next;
  }
  return { intercept: mean, weights: w };
}

export function predictSparseRidge(model: SparseRidgeModel, row: SparseVector): number {
  return model.intercept + dot(row, model.weights);
}
