import type { FeatureMatrix, GbdtModel, GbdtModelJson } from '../prediction/gradient-boosting.model';
import { ExplainError } from './explain.errors';

/**
 * Path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature attribution for
 * tree ensembles", Algorithm 2; ported from the reference `tree_shap_recursive` in shap's C extension) for the
 * GBDT of `gradient-boosting.model.ts`. It returns the exact Shapley values φ_i of the set function
 * v(S) = E[f(x) | x_S], where the conditional expectation is taken by walking each tree: a split on a feature
 * in S follows x, any other split averages its two children weighted by their training covers. So
 * Σ φ_i = f(x) − E[f(X)] with the base value E[f(X)] = model base + Σ_trees cover-weighted mean leaf value.
 * Cost O(trees · leaves · depth²) per row, no allocation per call.
 */
export interface TreeShapExplanation {
  /** E[f(X)] over the training covers, in the model's output space (log1p seconds for duration models). */
  readonly baseValue: number;
  /** f(x): the model's raw output for the row. */
  readonly prediction: number;
  /** φ_i per feature, same order as the model's inputs; Σ φ = prediction − baseValue. */
  readonly contributions: Float64Array;
}

/** Flat tree arrays as the explainer reads them (the GBDT artifact's, with covers). */
interface EnsembleArrays {
  readonly nFeatures: number;
  readonly base: number;
  readonly treeRoots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly cover: Float64Array;
}

/**
 * Covers estimated by routing `background` rows through the trees, for artifacts written before training
 * covers were recorded. Every leaf gets a tiny pseudo-count so no branch has zero weight; an internal node's
 * cover is the sum of its children's (the identity local accuracy needs).
 */
export function coversFromBackground(json: GbdtModelJson, background: FeatureMatrix): number[] {
  if (background.cols !== json.nFeatures) {
    throw new ExplainError('INVALID_INPUT', `background has ${background.cols} columns, the model reads ${json.nFeatures}`);
  }
  if (background.rows === 0) throw new ExplainError('INVALID_INPUT', 'background has no rows');
  const n = json.feature.length;
  const counts = new Float64Array(n);
  for (const root of json.treeRoots) {
    for (let i = 0; i < background.rows; i++) {
      let node = root;
      while (json.feature[node] >= 0) {
        node = background.values[i * background.cols + json.feature[node]] <= json.threshold[node] ? json.left[node] : json.right[node];
      }
      counts[node] += 1;
    }
  }
  const cover = new Array<number>(n).fill(0);
  const fill = (node: number): number => {
    if (json.feature[node] < 0) cover[node] = counts[node] + 1e-6;
    else cover[node] = fill(json.left[node]) + fill(json.right[node]);
    return cover[node];
  };
  for (const root of json.treeRoots) fill(root);
  return cover;
}

export class TreeShapExplainer {
  /** E[f(X)] under the covers. */
  readonly baseValue: number;
  readonly nFeatures: number;
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  /** The row being explained, copied so the hot loop reads one monomorphic typed array. */
  private readonly x: Float64Array;
  private phi: Float64Array = new Float64Array(0);
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly value: Float64Array;
  private readonly cover: Float64Array;

  private constructor(private readonly t: EnsembleArrays) {
    this.nFeatures = t.nFeatures;
    this.x = new Float64Array(t.nFeatures);
    this.feature = t.feature;
    this.threshold = t.threshold;
    this.left = t.left;
    this.right = t.right;
    this.value = t.value;
    this.cover = t.cover;
    let maxDepth = 0;
    let expected = t.base;
    for (const root of t.treeRoots) {
      const { depth, mean } = this.summarise(root);
      maxDepth = Math.max(maxDepth, depth);
      expected += mean;
    }
    this.baseValue = expected;
    const d = maxDepth + 2;
    const size = (d * (d + 1)) / 2;
    this.pathFeature = new Int32Array(size);
    this.pathZero = new Float64Array(size);
    this.pathOne = new Float64Array(size);
    this.pathWeight = new Float64Array(size);
  }

  /**
   * An explainer for `model`. Uses the covers recorded at training; a model without them (an artifact from
   * before covers existed) needs `background` rows (e.g. the training reference sample), else this throws
   * COVERS_UNAVAILABLE so callers can report "explanation unavailable".
   */
  static forModel(model: GbdtModel, background?: FeatureMatrix): TreeShapExplainer {
    return TreeShapExplainer.fromJSON(model.toJSON(), background);
  }

  static fromJSON(json: GbdtModelJson, background?: FeatureMatrix): TreeShapExplainer {
    let cover = json.cover;
    if (cover === undefined) {
      if (background === undefined) {
        throw new ExplainError('COVERS_UNAVAILABLE', 'the model artifact records no node covers; pass background rows to estimate them');
      }
      cover = coversFromBackground(json, background);
    }
    if (cover.length !== json.feature.length) throw new ExplainError('INVALID_INPUT', `${cover.length} covers for ${json.feature.length} nodes`);
    for (let i = 0; i < cover.length; i++) {
      if (!(cover[i] > 0 && Number.isFinite(cover[i]))) throw new ExplainError('INVALID_INPUT', `node ${i} has cover ${cover[i]}; covers must be positive`);
    }
    return new TreeShapExplainer({
      nFeatures: json.nFeatures,
      base: json.base,
      treeRoots: Int32Array.from(json.treeRoots),
      feature: Int32Array.from(json.feature),
      threshold: Float64Array.from(json.threshold),
      left: Int32Array.from(json.left),
      right: Int32Array.from(json.right),
      value: Float64Array.from(json.value),
      cover: Float64Array.from(cover),
    });
  }

  /** Depth of the subtree and its cover-weighted mean leaf value. */
  private summarise(node: number): { depth: number; mean: number } {
    const { feature, left, right, cover, value } = this.t;
    if (feature[node] < 0) return { depth: 0, mean: value[node] };
    const l = this.summarise(left[node]);
    const r = this.summarise(right[node]);
    return { depth: 1 + Math.max(l.depth, r.depth), mean: (cover[left[node]] * l.mean + cover[right[node]] * r.mean) / (cover[left[node]] + cover[right[node]]) };
  }

  /** The model's raw output for `row` (same routing as GbdtModel: x ≤ threshold goes left, NaN goes right). */
  predict(row: ArrayLike<number>): number {
    const { feature, threshold, left, right, value, treeRoots } = this.t;
    let out = this.t.base;
    for (const root of treeRoots) {
      let node = root;
      while (feature[node] >= 0) node = row[feature[node]] <= threshold[node] ? left[node] : right[node];
      out += value[node];
    }
    return out;
  }

  /** φ for `row` written into `out` (zeroed first); returns `out`. */
  contributionsInto(row: ArrayLike<number>, out: Float64Array): Float64Array {
    if (row.length !== this.nFeatures) throw new ExplainError('INVALID_INPUT', `row has ${row.length} features, the model reads ${this.nFeatures}`);
    if (out.length !== this.nFeatures) throw new ExplainError('INVALID_INPUT', `output has length ${out.length}, expected ${this.nFeatures}`);
    out.fill(0);
    for (let j = 0; j < this.nFeatures; j++) this.x[j] = row[j];
    this.phi = out;
    for (const root of this.t.treeRoots) this.recurse(root, 0, 0, 1, 1, -1);
    return out;
  }

  explain(row: ArrayLike<number>): TreeShapExplanation {
    const contributions = this.contributionsInto(row, new Float64Array(this.nFeatures));
    return { baseValue: this.baseValue, prediction: this.predict(row), contributions };
  }

  /**
   * Algorithm 2's RECURSE. The unique path of this node lives at [offset, offset + depth]; the child's copy
   * goes right after it, so one preallocated buffer of (D+2)(D+3)/2 elements serves the whole recursion.
   */
  private recurse(node: number, uniqueDepth: number, parentOffset: number, parentZero: number, parentOne: number, parentFeature: number): void {
    const feature = this.feature;
    const left = this.left;
    const right = this.right;
    const cover = this.cover;
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;
    const offset = parentOffset + uniqueDepth + 1;
    // Paths are a handful of elements: a plain loop beats four native copyWithin calls per node.
    for (let i = 0; i <= uniqueDepth; i++) {
      pf[offset + i] = pf[parentOffset + i];
      pz[offset + i] = pz[parentOffset + i];
      po[offset + i] = po[parentOffset + i];
      pw[offset + i] = pw[parentOffset + i];
    }
    this.extend(offset, uniqueDepth, parentZero, parentOne, parentFeature);
    const split = feature[node];
    if (split < 0) {
      const v = this.value[node];
      for (let i = 1; i <= uniqueDepth; i++) {
        const w = this.unwoundSum(offset, uniqueDepth, i);
        this.phi[pf[offset + i]] += w * (po[offset + i] - pz[offset + i]) * v;
      }
      return;
    }
    const goesLeft = this.x[split] <= this.threshold[node];
    const hot = goesLeft ? left[node] : right[node];
    const cold = goesLeft ? right[node] : left[node];
    const w = cover[node];
    const hotZero = cover[hot] / w;
    const coldZero = cover[cold] / w;
    let incomingZero = 1;
    let incomingOne = 1;
    let depth = uniqueDepth;
    let k = 0;
    while (k <= depth && pf[offset + k] !== split) k++;
    if (k <= depth) {
      // The feature was split on higher up: undo that split's entry and fold its fractions into this one.
      incomingZero = pz[offset + k];
      incomingOne = po[offset + k];
      this.unwind(offset, depth, k);
      depth -= 1;
    }
    this.recurse(hot, depth + 1, offset, hotZero * incomingZero, incomingOne, split);
    this.recurse(cold, depth + 1, offset, coldZero * incomingZero, 0, split);
  }

  private extend(o: number, d: number, zero: number, one: number, feature: number): void {
    const pw = this.pathWeight;
    this.pathFeature[o + d] = feature;
    this.pathZero[o + d] = zero;
    this.pathOne[o + d] = one;
    pw[o + d] = d === 0 ? 1 : 0;
    for (let i = d - 1; i >= 0; i--) {
      pw[o + i + 1] += (one * pw[o + i] * (i + 1)) / (d + 1);
      pw[o + i] = (zero * pw[o + i] * (d - i)) / (d + 1);
    }
  }

  private unwind(o: number, d: number, k: number): void {
    const pw = this.pathWeight;
    const one = this.pathOne[o + k];
    const zero = this.pathZero[o + k];
    let next = pw[o + d];
    for (let i = d - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = pw[o + i];
        pw[o + i] = (next * (d + 1)) / ((i + 1) * one);
        next = tmp - (pw[o + i] * zero * (d - i)) / (d + 1);
      } else {
        pw[o + i] = (pw[o + i] * (d + 1)) / (zero * (d - i));
      }
    }
    for (let i = k; i < d; i++) {
      this.pathFeature[o + i] = this.pathFeature[o + i + 1];
      this.pathZero[o + i] = this.pathZero[o + i + 1];
      this.pathOne[o + i] = this.pathOne[o + i + 1];
    }
  }

  private unwoundSum(o: number, d: number, k: number): number {
    const pw = this.pathWeight;
    const one = this.pathOne[o + k];
    const zero = this.pathZero[o + k];
    let next = pw[o + d];
    let total = 0;
    if (one !== 0) {
      for (let i = d - 1; i >= 0; i--) {
        const tmp = next / ((i + 1) * one);
        total += tmp;
        next = pw[o + i] - tmp * zero * (d - i);
      }
    } else {
      for (let i = d - 1; i >= 0; i--) total += pw[o + i] / (zero * (d - i));
    }
    return total * (d + 1);
  }
}
