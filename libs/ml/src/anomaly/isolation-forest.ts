import type { RandomSource } from './anomaly-detector.types';

/** Isolation forest (Liu, Ting & Zhou 2008) over fixed-length numeric vectors. */
interface IsoNode {
  readonly feature: number; // −1 for a leaf
  readonly split: number;
  readonly left: IsoNode | null;
  readonly right: IsoNode | null;
  readonly size: number;
}

export interface IsolationForestModel {
  readonly trees: readonly IsoNode[];
  readonly sampleSize: number;
}

const EULER = 0.5772156649;

/** Average path length of an unsuccessful BST search over n points: the normaliser c(n). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
}

export function fitIsolationForest(
  data: readonly Float64Array[],
  options: { trees: number; sampleSize: number },
  random: RandomSource,
): IsolationForestModel {
  const sampleSize = Math.min(options.sampleSize, data.length);
  const maxDepth = Math.ceil(Math.log2(Math.max(2, sampleSize)));
  const trees: IsoNode[] = [];
  for (let t = 0; t < options.trees; t++) {
    const sample: Float64Array[] = [];
    // Partial Fisher–Yates over indices: a sample without replacement.
    const idx = Array.from({ length: data.length }, (_, i) => i);
    for (let i = 0; i < sampleSize; i++) {
      const j = i + Math.floor(random() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
      sample.push(data[idx[i]]);
    }
    trees.push(buildTree(sample, 0, maxDepth, random));
  }
  return { trees, sampleSize };
}

function buildTree(points: Float64Array[], depth: number, maxDepth: number, random: RandomSource): IsoNode {
  if (depth >= maxDepth || points.length <= 1) return leaf(points.length);
  const dims = points[0].length;
  // Pick a feature that is not constant in this node (a few tries, then give up → leaf).
  for (let attempt = 0; attempt < dims * 2; attempt++) {
    const f = Math.floor(random() * dims);
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of points) {
      if (p[f] < lo) lo = p[f];
      if (p[f] > hi) hi = p[f];
    }
    if (hi <= lo) continue;
    const split = lo + random() * (hi - lo);
    const left: Float64Array[] = [];
    const right: Float64Array[] = [];
    for (const p of points) (p[f] < split ? left : right).push(p);
    return {
      feature: f,
      split,
      left: buildTree(left, depth + 1, maxDepth, random),
      right: buildTree(right, depth + 1, maxDepth, random),
      size: points.length,
    };
  }
  return leaf(points.length);
}

function leaf(size: number): IsoNode {
  return { feature: -1, split: 0, left: null, right: null, size };
}

/** Anomaly score s(x) = 2^(−E[h(x)]/c(ψ)) ∈ (0, 1]; ≈ 0.5 for ordinary points, → 1 for isolated ones. */
export function isolationScore(model: IsolationForestModel, x: Float64Array): number {
  let total = 0;
  for (const tree of model.trees) {
    let node = tree;
    let depth = 0;
    while (node.feature >= 0) {
      node = (x[node.feature] < node.split ? node.left : node.right) as IsoNode;
      depth++;
    }
    total += depth + averagePathLength(node.size);
  }
  const c = averagePathLength(model.sampleSize);
  if (c === 0) return 0;
  return Math.pow(2, -total / model.trees.length / c);
}
