import { PredictionError } from './prediction.errors';
import { RandomSource, seededRandom } from '../common/random';

/**
 * Gradient-boosted regression trees with histogram splits (pure TS, no tfjs).
 * Loss `l2` fits the conditional mean; `quantile` fits the conditional alpha-quantile
 * (Friedman's approach: trees fit the sign gradient, each leaf takes the alpha-quantile of its residuals).
 * Trained trees are flattened into typed arrays so batched inference is a tight loop.
 */
export type GbdtLoss = 'l2' | 'quantile' | 'huber';

export interface GbdtParams {
  readonly loss: GbdtLoss;
  /** Quantile level for `quantile` loss (0.5 = median). Ignored for `l2`. */
  readonly alpha: number;
  readonly nTrees: number;
  readonly learningRate: number;
  readonly maxDepth: number;
  readonly minLeaf: number;
  /** At most 255 so bins fit in a byte. */
  readonly maxBins: number;
  /** Row fraction sampled per tree (stochastic boosting). */
  readonly subsample: number;
  readonly seed: number;
  /**
   * `huber` only: the clipping point δ of each round is this quantile of |residual| (Friedman's
   * M-regression; default 0.9). Residuals within δ drive the split search by their size, larger ones by δ·sign,
   * so trees see how far off a row is while outliers cannot dominate. Leaves take the alpha-quantile of their
   * residuals (alpha 0.5 = median, what minimises absolute error).
   */
  readonly huberQuantile?: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  loss: 'l2',
  alpha: 0.5,
  nTrees: 200,
  learningRate: 0.08,
  maxDepth: 6,
  minLeaf: 20,
  maxBins: 64,
  subsample: 0.8,
  seed: 1,
};

/** Row-major dense matrix: row i, column j at values[i * cols + j]. */
export interface FeatureMatrix {
  readonly values: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

export function toFeatureMatrix(rows: ReadonlyArray<ArrayLike<number>>, cols?: number): FeatureMatrix {
  const c = cols ?? (rows.length > 0 ? rows[0].length : 0);
  const values = new Float64Array(rows.length * c);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.length !== c) {
      throw new PredictionError('INVALID_FEATURES', `row ${i} has ${r.length} features, expected ${c}`);
    }
    for (let j = 0; j < c; j++) values[i * c + j] = r[j];
  }
  return { values, rows: rows.length, cols: c };
}

/** Serialisable form; node arrays are parallel, leaves have feature -1. */
export interface GbdtModelJson {
  readonly kind: 'gbdt';
  readonly version: 1;
  readonly loss: GbdtLoss;
  readonly alpha: number;
  readonly nFeatures: number;
  readonly base: number;
  readonly treeRoots: number[];
  readonly feature: number[];
  readonly threshold: number[];
  readonly left: number[];
  readonly right: number[];
  readonly value: number[];
  /**
   * Training rows (of the tree's subsample) that reached each node, parallel to `feature`; what TreeSHAP
   * weights unseen branches by. Absent in artifacts written before covers were recorded.
   */
  readonly cover?: number[];
}

const PREDICT_BLOCK_ROWS = 256;

export class GbdtModel {
  private constructor(
    readonly loss: GbdtLoss,
    readonly alpha: number,
    readonly nFeatures: number,
    readonly base: number,
    private readonly treeRoots: Int32Array,
    private readonly feature: Int32Array,
    private readonly threshold: Float64Array,
    private readonly left: Int32Array,
    private readonly right: Int32Array,
    private readonly value: Float64Array,
    private readonly cover: Float64Array | null = null,
  ) {
    let next = true;
    for (let i = 0; i < feature.length && next; i++) if (feature[i] >= 0 && left[i] !== i + 1) next = false;
    this.leftIsNext = next;
  }

  /** Every split node's left child is the node right after it (true for trees grown by trainGbdt). */
  private readonly leftIsNext: boolean;

  static fromArrays(parts: {
    loss: GbdtLoss;
    alpha: number;
    nFeatures: number;
    base: number;
    treeRoots: ArrayLike<number>;
    feature: ArrayLike<number>;
    threshold: ArrayLike<number>;
    left: ArrayLike<number>;
    right: ArrayLike<number>;
    value: ArrayLike<number>;
    cover?: ArrayLike<number>;
  }): GbdtModel {
    const n = parts.feature.length;
    if ([parts.threshold, parts.left, parts.right, parts.value, ...(parts.cover ? [parts.cover] : [])].some((a) => a.length !== n)) {
      throw new PredictionError('INVALID_ARTIFACT', 'gbdt node arrays have different lengths');
    }
    const feature = Int32Array.from(parts.feature);
    const left = Int32Array.from(parts.left);
    const right = Int32Array.from(parts.right);
    for (let i = 0; i < n; i++) {
      if (feature[i] >= parts.nFeatures) {
        throw new PredictionError('INVALID_ARTIFACT', `gbdt node ${i} splits on feature ${feature[i]} of ${parts.nFeatures}`);
      }
      if (feature[i] >= 0 && (left[i] <= i || right[i] <= i || left[i] >= n || right[i] >= n)) {
        throw new PredictionError('INVALID_ARTIFACT', `gbdt node ${i} has bad children ${left[i]}/${right[i]}`);
      }
    }
    const roots = Int32Array.from(parts.treeRoots);
    for (const r of roots) {
      if (r < 0 || r >= n) throw new PredictionError('INVALID_ARTIFACT', `gbdt tree root ${r} out of range`);
    }
    return new GbdtModel(
      parts.loss,
      parts.alpha,
      parts.nFeatures,
      parts.base,
      roots,
      feature,
      Float64Array.from(parts.threshold),
      left,
      right,
      Float64Array.from(parts.value),
      parts.cover ? Float64Array.from(parts.cover) : null,
    );
  }

  /** Whether per-node training covers were recorded (models trained before covers existed have none). */
  get hasCovers(): boolean {
    return this.cover !== null;
  }

  get treeCount(): number {
    return this.treeRoots.length;
  }

  get nodeCount(): number {
    return this.feature.length;
  }

  /** Predicts every row of `x` into `out` (allocation-free hot path). */
  predictInto(x: FeatureMatrix, out: Float64Array): Float64Array {
    if (x.cols !== this.nFeatures) {
      throw new PredictionError('INVALID_FEATURES', `expected ${this.nFeatures} features, got ${x.cols}`);
    }
    const { values, rows, cols } = x;
    const feature = this.feature;
    const threshold = this.threshold;
    const left = this.left;
    const right = this.right;
    const value = this.value;
    const roots = this.treeRoots;
    out.fill(this.base, 0, rows);
    // Rows in blocks, every tree per block: the block's feature rows stay in cache while the trees stream by.
    if (this.leftIsNext) {
      // Trees grown here store each left child right after its parent: one array read less per level.
      for (let start = 0; start < rows; start += PREDICT_BLOCK_ROWS) {
        const end = Math.min(rows, start + PREDICT_BLOCK_ROWS);
        for (let t = 0; t < roots.length; t++) {
          const root = roots[t];
          for (let i = start; i < end; i++) {
            const offset = i * cols;
            let node = root;
            let f = feature[node];
            while (f >= 0) {
              node = values[offset + f] <= threshold[node] ? node + 1 : right[node];
              f = feature[node];
            }
            out[i] += value[node];
          }
        }
      }
      return out;
    }
    for (let start = 0; start < rows; start += PREDICT_BLOCK_ROWS) {
      const end = Math.min(rows, start + PREDICT_BLOCK_ROWS);
      for (let t = 0; t < roots.length; t++) {
        const root = roots[t];
        for (let i = start; i < end; i++) {
          const offset = i * cols;
          let node = root;
          let f = feature[node];
          while (f >= 0) {
            node = values[offset + f] <= threshold[node] ? left[node] : right[node];
            f = feature[node];
          }
          out[i] += value[node];
        }
      }
    }
    return out;
  }

  predict(x: FeatureMatrix): Float64Array {
    return this.predictInto(x, new Float64Array(x.rows));
  }

  predictOne(row: ArrayLike<number>): number {
    return this.predict(toFeatureMatrix([row], this.nFeatures))[0];
  }

  toJSON(): GbdtModelJson {
    return {
      kind: 'gbdt',
      version: 1,
      loss: this.loss,
      alpha: this.alpha,
      nFeatures: this.nFeatures,
      base: this.base,
      treeRoots: Array.from(this.treeRoots),
      feature: Array.from(this.feature),
      threshold: Array.from(this.threshold),
      left: Array.from(this.left),
      right: Array.from(this.right),
      value: Array.from(this.value),
      ...(this.cover ? { cover: Array.from(this.cover) } : {}),
    };
  }

  static fromJSON(json: unknown): GbdtModel {
    if (typeof json !== 'object' || json === null) {
      throw new PredictionError('INVALID_ARTIFACT', 'gbdt artifact is not an object');
    }
    const o = json as Record<string, unknown>;
    if (o.kind !== 'gbdt' || o.version !== 1) {
      throw new PredictionError('INVALID_ARTIFACT', `gbdt artifact has kind/version ${String(o.kind)}/${String(o.version)}`);
    }
    if (o.loss !== 'l2' && o.loss !== 'quantile' && o.loss !== 'huber') {
      throw new PredictionError('INVALID_ARTIFACT', `gbdt artifact has unknown loss ${String(o.loss)}`);
    }
    const nums = (k: string): number[] => {
      const v = o[k];
      if (!Array.isArray(v) || !v.every((e) => typeof e === 'number')) {
        throw new PredictionError('INVALID_ARTIFACT', `gbdt artifact field "${k}" is not a number array`);
      }
      return v as number[];
    };
    const num = (k: string): number => {
      const v = o[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new PredictionError('INVALID_ARTIFACT', `gbdt artifact field "${k}" is not a finite number`);
      }
      return v;
    };
    return GbdtModel.fromArrays({
      loss: o.loss,
      alpha: num('alpha'),
      nFeatures: num('nFeatures'),
      base: num('base'),
      treeRoots: nums('treeRoots'),
      feature: nums('feature'),
      threshold: nums('threshold'),
      left: nums('left'),
      right: nums('right'),
      value: nums('value'),
      ...(o.cover !== undefined ? { cover: nums('cover') } : {}),
    });
  }
}

/**
 * One model whose prediction is the mean of `models`' predictions (bagging over seeds): the trees are
 * concatenated with leaf values divided by the count, the base is the mean base. Same artifact format.
 */
export function averageGbdtModels(models: readonly GbdtModel[]): GbdtModel {
  if (models.length === 0) throw new PredictionError('INVALID_PARAMS', 'no models to average');
  const parts = models.map((m) => m.toJSON());
  const first = parts[0];
  if (parts.some((p) => p.nFeatures !== first.nFeatures || p.loss !== first.loss || p.alpha !== first.alpha)) {
    throw new PredictionError('INVALID_PARAMS', 'models to average differ in feature count, loss or alpha');
  }
  const k = parts.length;
  const out = { treeRoots: [] as number[], feature: [] as number[], threshold: [] as number[], left: [] as number[], right: [] as number[], value: [] as number[] };
  const withCovers = parts.every((p) => p.cover !== undefined);
  const cover: number[] = [];
  for (const p of parts) {
    if (withCovers) for (const c of p.cover as number[]) cover.push(c);
    const off = out.feature.length;
    for (const r of p.treeRoots) out.treeRoots.push(r + off);
    for (let i = 0; i < p.feature.length; i++) {
      out.feature.push(p.feature[i]);
      out.threshold.push(p.threshold[i]);
      out.left.push(p.feature[i] >= 0 ? p.left[i] + off : -1);
      out.right.push(p.feature[i] >= 0 ? p.right[i] + off : -1);
      out.value.push(p.value[i] / k);
    }
  }
  return GbdtModel.fromArrays({ loss: first.loss, alpha: first.alpha, nFeatures: first.nFeatures, base: parts.reduce((a, p) => a + p.base, 0) / k, ...out, ...(withCovers ? { cover } : {}) });
}

interface Bins {
  /** cuts[j]: ascending thresholds for feature j; bin b holds x <= cuts[b] (last bin: above all). */
  readonly cuts: Float64Array[];
  /** Column-major bin codes: feature j, row i at codes[j * rows + i]. */
  readonly codes: Uint8Array;
}

function lowerBound(cuts: Float64Array, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function buildBins(x: FeatureMatrix, maxBins: number, random: RandomSource): Bins {
  const { rows, cols, values } = x;
  const sampleSize = Math.min(rows, 50_000);
  const cuts: Float64Array[] = [];
  const codes = new Uint8Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const sample = new Float64Array(sampleSize);
    for (let s = 0; s < sampleSize; s++) {
      const i = sampleSize === rows ? s : Math.floor(random() * rows);
      sample[s] = values[i * cols + j];
    }
    sample.sort();
    const distinct: number[] = [];
    for (let s = 0; s < sample.length; s++) {
      if (Number.isNaN(sample[s])) continue;
      if (distinct.length === 0 || distinct[distinct.length - 1] !== sample[s]) distinct.push(sample[s]);
    }
    let c: number[];
    if (distinct.length <= maxBins - 1) {
      c = distinct.slice(0, Math.max(0, distinct.length - 1));
    } else {
      c = [];
      for (let b = 1; b < maxBins; b++) {
        const v = sample[Math.floor((b * sample.length) / maxBins)];
        if (c.length === 0 || c[c.length - 1] < v) c.push(v);
      }
    }
    const cf = Float64Array.from(c);
    cuts.push(cf);
    for (let i = 0; i < rows; i++) codes[j * rows + i] = lowerBound(cf, values[i * cols + j]);
  }
  return { cuts, codes };
}

function quantileOf(v: Float64Array, n: number, alpha: number): number {
  const a = v.subarray(0, n).slice().sort();
  if (n === 0) return 0;
  const pos = alpha * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return a[lo] + (a[hi] - a[lo]) * (pos - lo);
}

/**
 * Weighted alpha-quantile of v[0..n): the smallest value whose cumulative weight (ascending order) reaches
 * alpha × total weight; with equal weights and alpha 0.5 this is the lower median.
 */
export function weightedQuantile(v: ArrayLike<number>, w: ArrayLike<number>, n: number, alpha: number): number {
  if (n === 0) return 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i];
  const target = alpha * total;
  let acc = 0;
  for (const i of order) {
    acc += w[i];
    if (acc >= target) return v[i];
  }
  return v[order[n - 1]];
}

function clip(r: number, delta: number): number {
  return r > delta ? delta : r < -delta ? -delta : r;
}

/** δ for the Huber loss: the q-quantile of |residual| (0 residuals everywhere → 0, i.e. sign gradients). */
export function huberDelta(resid: ArrayLike<number>, q: number): number {
  const a = new Float64Array(resid.length);
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(resid[i]);
  return quantileOf(a, a.length, q);
}

function validateParams(p: GbdtParams): void {
  const bad = (m: string): never => {
    throw new PredictionError('INVALID_PARAMS', m);
  };
  if (!(p.alpha > 0 && p.alpha < 1)) bad(`alpha must be in (0, 1), got ${p.alpha}`);
  if (!Number.isInteger(p.nTrees) || p.nTrees < 1) bad(`nTrees must be a positive integer, got ${p.nTrees}`);
  if (!(p.learningRate > 0 && p.learningRate <= 1)) bad(`learningRate must be in (0, 1], got ${p.learningRate}`);
  if (!Number.isInteger(p.maxDepth) || p.maxDepth < 1 || p.maxDepth > 16) bad(`maxDepth must be 1..16, got ${p.maxDepth}`);
  if (!Number.isInteger(p.minLeaf) || p.minLeaf < 1) bad(`minLeaf must be a positive integer, got ${p.minLeaf}`);
  if (!Number.isInteger(p.maxBins) || p.maxBins < 2 || p.maxBins > 255) bad(`maxBins must be 2..255, got ${p.maxBins}`);
  if (!(p.subsample > 0 && p.subsample <= 1)) bad(`subsample must be in (0, 1], got ${p.subsample}`);
  if (p.huberQuantile !== undefined && !(p.huberQuantile > 0 && p.huberQuantile <= 1)) bad(`huberQuantile must be in (0, 1], got ${p.huberQuantile}`);
}

interface NodeBuilder {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
}

/** Fits a boosted ensemble; `y` is the target per row of `x`. */
export function trainGbdt(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  params: Partial<GbdtParams> = {},
  /**
   * Optional positive weight per row: split gains, leaf values (weighted mean / weighted quantile) and the
   * base score use them. They must not depend on the target (e.g. a scale estimate from the features), or the
   * fitted quantile is biased.
   */
  weights?: ArrayLike<number>,
): GbdtModel {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...params };
  validateParams(p);
  const { rows, cols } = x;
  if (rows === 0) throw new PredictionError('INVALID_TRAINING_DATA', 'no training rows');
  if (y.length !== rows) throw new PredictionError('INVALID_TRAINING_DATA', `${rows} rows but ${y.length} targets`);
  for (let i = 0; i < rows; i++) {
    if (!Number.isFinite(y[i])) throw new PredictionError('INVALID_TRAINING_DATA', `target ${i} is not finite (${y[i]})`);
  }
  if (weights !== undefined) {
    if (weights.length !== rows) throw new PredictionError('INVALID_TRAINING_DATA', `${rows} rows but ${weights.length} weights`);
    for (let i = 0; i < rows; i++) {
      if (!(weights[i] > 0 && Number.isFinite(weights[i]))) throw new PredictionError('INVALID_TRAINING_DATA', `weight ${i} is not a positive number (${weights[i]})`);
    }
  }
  const w = weights === undefined ? new Float64Array(rows).fill(1) : Float64Array.from(weights);
  const random = seededRandom(p.seed);
  const bins = buildBins(x, p.maxBins, random);
  const yArr = Float64Array.from(y);
  let base: number;
  if (p.loss === 'l2') {
    let sy = 0;
    let sw = 0;
    for (let i = 0; i < rows; i++) {
      sy += w[i] * yArr[i];
      sw += w[i];
    }
    base = sy / sw;
  } else base = weights === undefined ? quantileOf(yArr, rows, p.alpha) : weightedQuantile(yArr, w, rows, p.alpha);
  const pred = new Float64Array(rows).fill(base);
  const grad = new Float64Array(rows);
  const resid = new Float64Array(rows);
  const nodes: NodeBuilder = { feature: [], threshold: [], left: [], right: [], value: [], cover: [] };
  const roots: number[] = [];
  const nBins = p.maxBins;
  const histSum = new Float64Array(nBins);
  const histCnt = new Float64Array(nBins);
  const histW = new Float64Array(nBins);
  const leafW = new Float64Array(rows);
  const sampleN = Math.max(1, Math.round(rows * p.subsample));
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const leafRows = new Uint32Array(rows);

  for (let t = 0; t < p.nTrees; t++) {
    for (let i = 0; i < rows; i++) {
      const r = yArr[i] - pred[i];
      resid[i] = r;
      grad[i] = p.loss === 'l2' || p.loss === 'huber' ? r : r > 0 ? p.alpha : r < 0 ? p.alpha - 1 : 0;
    }
    if (p.loss === 'huber') {
      const delta = huberDelta(resid, p.huberQuantile ?? 0.9);
      for (let i = 0; i < rows; i++) grad[i] = clip(resid[i], delta);
    }
    // Partial Fisher-Yates: the first sampleN entries of `order` are this tree's rows.
    for (let i = 0; i < sampleN && sampleN < rows; i++) {
      const j = i + Math.floor(random() * (rows - i));
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    const idx = order.slice(0, sampleN);
    const leaves: Array<{ node: number; idx: Uint32Array }> = [];
    const grow = (rowsIdx: Uint32Array, depth: number): number => {
      const id = nodes.feature.length;
      nodes.feature.push(-1);
      nodes.threshold.push(0);
      nodes.left.push(-1);
      nodes.right.push(-1);
      nodes.value.push(0);
      const n = rowsIdx.length;
      nodes.cover.push(n);
      let total = 0;
      let totalW = 0;
      for (let k = 0; k < n; k++) {
        const r = rowsIdx[k];
        total += w[r] * grad[r];
        totalW += w[r];
      }
      let bestGain = 1e-12;
      let bestF = -1;
      let bestB = -1;
      if (depth < p.maxDepth && n >= 2 * p.minLeaf) {
        const parentScore = (total * total) / totalW;
        for (let j = 0; j < cols; j++) {
          const nCuts = bins.cuts[j].length;
          if (nCuts === 0) continue;
          histSum.fill(0, 0, nCuts + 1);
          histCnt.fill(0, 0, nCuts + 1);
          histW.fill(0, 0, nCuts + 1);
          const colOff = j * rows;
          for (let k = 0; k < n; k++) {
            const r = rowsIdx[k];
            const b = bins.codes[colOff + r];
            histSum[b] += w[r] * grad[r];
            histCnt[b] += 1;
            histW[b] += w[r];
          }
          let sL = 0;
          let nL = 0;
          let wL = 0;
          for (let b = 0; b < nCuts; b++) {
            sL += histSum[b];
            nL += histCnt[b];
            wL += histW[b];
            const nR = n - nL;
            if (nL < p.minLeaf) continue;
            if (nR < p.minLeaf) break;
            const sR = total - sL;
            const gain = (sL * sL) / wL + (sR * sR) / (totalW - wL) - parentScore;
            if (gain > bestGain) {
              bestGain = gain;
              bestF = j;
              bestB = b;
            }
          }
        }
      }
      if (bestF < 0) {
        leaves.push({ node: id, idx: rowsIdx });
        return id;
      }
      const colOff = bestF * rows;
      let nL = 0;
      for (let k = 0; k < n; k++) if (bins.codes[colOff + rowsIdx[k]] <= bestB) nL++;
      const li = new Uint32Array(nL);
      const ri = new Uint32Array(n - nL);
      let a = 0;
      let c = 0;
      for (let k = 0; k < n; k++) {
        const r = rowsIdx[k];
        if (bins.codes[colOff + r] <= bestB) li[a++] = r;
        else ri[c++] = r;
      }
      nodes.feature[id] = bestF;
      nodes.threshold[id] = bins.cuts[bestF][bestB];
      nodes.left[id] = grow(li, depth + 1);
      nodes.right[id] = grow(ri, depth + 1);
      return id;
    };
    const root = grow(idx, 0);
    roots.push(root);
    for (const leaf of leaves) {
      const n = leaf.idx.length;
      for (let k = 0; k < n; k++) leafRows[k] = leaf.idx[k];
      let v: number;
      if (p.loss === 'l2') {
        let s = 0;
        let sw = 0;
        for (let k = 0; k < n; k++) {
          s += w[leafRows[k]] * resid[leafRows[k]];
          sw += w[leafRows[k]];
        }
        v = s / sw;
      } else {
        const r = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          r[k] = resid[leafRows[k]];
          leafW[k] = w[leafRows[k]];
        }
        v = weights === undefined ? quantileOf(r, n, p.alpha) : weightedQuantile(r, leafW, n, p.alpha);
      }
      nodes.value[leaf.node] = p.learningRate * v;
    }
    // Update every row (not only the sampled ones) by walking the fresh tree on the binned data.
    for (let i = 0; i < rows; i++) {
      let node = root;
      while (nodes.feature[node] >= 0) {
        const f = nodes.feature[node];
        node = x.values[i * cols + f] <= nodes.threshold[node] ? nodes.left[node] : nodes.right[node];
      }
      pred[i] += nodes.value[node];
    }
  }
  return GbdtModel.fromArrays({
    loss: p.loss,
    alpha: p.alpha,
    nFeatures: cols,
    base,
    treeRoots: roots,
    ...nodes,
  });
}
