import { GbdtModel, averageGbdtModels, toFeatureMatrix, trainGbdt, type GbdtModelJson } from '../prediction/gradient-boosting.model';
import { seededRandom } from '../common/random';
import { TreeShapExplainer, coversFromBackground } from './tree-shap.explainer';
import { isExplainError } from './explain.errors';

/**
 * Reference: v(S) = E[f(x) | x_S] by the path-dependent definition TreeSHAP uses (a split on a feature in S
 * follows x; any other split averages its children weighted by cover), and Shapley values by summing over
 * all 2^M coalitions.
 */
function conditionalExpectation(json: GbdtModelJson, x: ArrayLike<number>, inS: boolean[]): number {
  const cover = json.cover as number[];
  const walk = (node: number): number => {
    const f = json.feature[node];
    if (f < 0) return json.value[node];
    const l = json.left[node];
    const r = json.right[node];
    if (inS[f]) return x[f] <= json.threshold[node] ? walk(l) : walk(r);
    return (cover[l] * walk(l) + cover[r] * walk(r)) / cover[node];
  };
  return json.treeRoots.reduce((acc, root) => acc + walk(root), json.base);
}

function bruteForceShapley(json: GbdtModelJson, x: ArrayLike<number>): Float64Array {
  const m = json.nFeatures;
  const fact = [1];
  for (let i = 1; i <= m; i++) fact.push(fact[i - 1] * i);
  const v = new Float64Array(1 << m);
  for (let mask = 0; mask < 1 << m; mask++) v[mask] = conditionalExpectation(json, x, Array.from({ length: m }, (_, j) => (mask & (1 << j)) !== 0));
  const phi = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let mask = 0; mask < 1 << m; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let j = 0; j < m; j++) if (mask & (1 << j)) size++;
      const weight = (fact[size] * fact[m - size - 1]) / fact[m];
      phi[i] += weight * (v[mask | (1 << i)] - v[mask]);
    }
  }
  return phi;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** Root x0 ≤ 0.5 (cover 10) → [x1 ≤ 0.5 (cover 6) → leaf 1 (cover 2) | leaf 3 (cover 4)] | leaf 10 (cover 4). */
function handTree(): GbdtModel {
  return GbdtModel.fromArrays({
    loss: 'l2',
    alpha: 0.5,
    nFeatures: 2,
    base: 0,
    treeRoots: [0],
    feature: [0, 1, -1, -1, -1],
    threshold: [0.5, 0.5, 0, 0, 0],
    left: [1, 2, -1, -1, -1],
    right: [4, 3, -1, -1, -1],
    value: [0, 0, 1, 3, 10],
    cover: [10, 6, 2, 4, 4],
  });
}

function syntheticData(rows: number, cols: number, seed: number): { x: Float64Array; y: Float64Array } {
  const random = seededRandom(seed);
  const x = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) x[i * cols + j] = random() * 2 - 1;
    const r = x.subarray(i * cols, (i + 1) * cols);
    // Interactions and a repeated-split feature (x0 matters on both sides of a threshold).
    y[i] = 3 * r[0] * r[0] + 2 * r[1] * (r[2] > 0 ? 1 : -1) + Math.sin(3 * r[3]) + (cols > 5 ? r[4] * r[5] : 0) + 0.1 * (random() - 0.5);
  }
  return { x, y };
}

describe('TreeShapExplainer', () => {
  it('matches a single tree worked by hand', () => {
    // E[f] = 0.6·(2/6·1 + 4/6·3) + 0.4·10 = 5.4; x = (0, 1) lands in the leaf worth 3.
    // v(∅) = 5.4, v({0}) = 7/3, v({1}) = 0.6·3 + 0.4·10 = 5.8, v({0,1}) = 3.
    // φ0 = ½[(7/3 − 5.4) + (3 − 5.8)] = −44/15, φ1 = ½[(5.8 − 5.4) + (3 − 7/3)] = 8/15.
    const explainer = TreeShapExplainer.forModel(handTree());
    const e = explainer.explain([0, 1]);
    expect(e.baseValue).toBeCloseTo(5.4, 12);
    expect(e.prediction).toBe(3);
    expect(e.contributions[0]).toBeCloseTo(-44 / 15, 12);
    expect(e.contributions[1]).toBeCloseTo(8 / 15, 12);
    // x = (1, 0): right leaf (10); x1 is never on x's path but still matters through v({1}) = 0.6·1 + 4 = 4.6.
    // φ1 = ½[(4.6 − 5.4) + (10 − 10)] = −0.4, φ0 = ½[(10 − 5.4) + (10 − 4.6)] = 5.
    const e2 = explainer.explain([1, 0]);
    expect(e2.contributions[0]).toBeCloseTo(5, 12);
    expect(e2.contributions[1]).toBeCloseTo(-0.4, 12);
  });

  it('gives a feature split twice on one path all of f(x) − E[f]', () => {
    // x0 ≤ 0.5 → (x0 ≤ 0.2 → 1 | 2) | 4, covers 8 → (4 → 1 | 3) | 4; E = (1 + 3·2 + 4·4)/8 = 23/8.
    const model = GbdtModel.fromArrays({
      loss: 'l2',
      alpha: 0.5,
      nFeatures: 3,
      base: 0.5,
      treeRoots: [0],
      feature: [0, 0, -1, -1, -1],
      threshold: [0.5, 0.2, 0, 0, 0],
      left: [1, 2, -1, -1, -1],
      right: [4, 3, -1, -1, -1],
      value: [0, 0, 1, 2, 4],
      cover: [8, 4, 1, 3, 4],
    });
    const e = TreeShapExplainer.forModel(model).explain([0.3, 7, -7]);
    expect(e.baseValue).toBeCloseTo(0.5 + 23 / 8, 12);
    expect(e.prediction).toBe(2.5);
    expect(Array.from(e.contributions)).toEqual([expect.closeTo(2.5 - (0.5 + 23 / 8), 12), 0, 0]);
  });

  it.each([
    { cols: 6, depth: 4, trees: 6, seed: 1 },
    { cols: 8, depth: 6, trees: 4, seed: 2 },
    { cols: 10, depth: 5, trees: 3, seed: 3 },
  ])('equals brute-force Shapley values over all 2^$cols coalitions (depth $depth, $trees trees)', ({ cols, depth, trees, seed }) => {
    const rows = 600;
    const { x, y } = syntheticData(rows, cols, seed);
    const model = trainGbdt({ values: x, rows, cols }, y, { loss: 'huber', nTrees: trees, maxDepth: depth, minLeaf: 4, learningRate: 0.3, subsample: 0.8, seed });
    const json = model.toJSON();
    const explainer = TreeShapExplainer.forModel(model);
    const random = seededRandom(100 + seed);
    for (let k = 0; k < 12; k++) {
      const row = Array.from({ length: cols }, () => random() * 2.4 - 1.2);
      if (k === 0) row[1] = Number.NaN; // the model sends NaN right; so must the explainer
      const e = explainer.explain(row);
      const reference = bruteForceShapley(json, row);
      for (let j = 0; j < cols; j++) expect(Math.abs(e.contributions[j] - reference[j])).toBeLessThan(1e-6);
      expect(Math.abs(sum(e.contributions) - (e.prediction - e.baseValue))).toBeLessThan(1e-6);
      expect(e.prediction).toBeCloseTo(model.predictOne(row), 10);
    }
    // Depth ≥ 4 on ≤ 10 features: some path splits on one feature twice (the unwind branch is exercised).
    const hasRepeat = json.treeRoots.some((root) => {
      const seen = (node: number, onPath: Set<number>): boolean => {
        const f = json.feature[node];
        if (f < 0) return false;
        if (onPath.has(f)) return true;
        const next = new Set(onPath).add(f);
        return seen(json.left[node], next) || seen(json.right[node], next);
      };
      return seen(root, new Set());
    });
    expect(hasRepeat).toBe(true);
  });

  it('base value is the mean training prediction when covers are training counts (no subsampling)', () => {
    const rows = 400;
    const cols = 5;
    const { x, y } = syntheticData(rows, cols, 9);
    const model = trainGbdt({ values: x, rows, cols }, y, { loss: 'l2', nTrees: 10, maxDepth: 3, minLeaf: 5, subsample: 1, seed: 9 });
    const mean = sum(model.predict({ values: x, rows, cols })) / rows;
    expect(TreeShapExplainer.forModel(model).baseValue).toBeCloseTo(mean, 9);
  });

  it('records covers at training (root = subsample size, parent = left + right) and keeps them through JSON and averaging', () => {
    const rows = 300;
    const { x, y } = syntheticData(rows, 6, 4);
    const a = trainGbdt({ values: x, rows, cols: 6 }, y, { nTrees: 3, maxDepth: 3, minLeaf: 5, subsample: 0.5, seed: 4 });
    const b = trainGbdt({ values: x, rows, cols: 6 }, y, { nTrees: 2, maxDepth: 3, minLeaf: 5, subsample: 0.5, seed: 5 });
    const json = a.toJSON();
    const cover = json.cover as number[];
    for (const root of json.treeRoots) expect(cover[root]).toBe(150);
    json.feature.forEach((f, i) => {
      if (f >= 0) expect(cover[json.left[i]] + cover[json.right[i]]).toBe(cover[i]);
    });
    expect(GbdtModel.fromJSON(JSON.parse(JSON.stringify(json))).toJSON().cover).toEqual(cover);
    const avg = averageGbdtModels([a, b]);
    expect(avg.hasCovers).toBe(true);
    const row = Array.from(x.subarray(0, 6));
    const e = TreeShapExplainer.forModel(avg).explain(row);
    expect(Math.abs(sum(e.contributions) - (avg.predictOne(row) - e.baseValue))).toBeLessThan(1e-9);
  });

  it('refuses an old artifact without covers unless background rows are given, then stays locally accurate', () => {
    const rows = 200;
    const { x, y } = syntheticData(rows, 6, 6);
    const json = trainGbdt({ values: x, rows, cols: 6 }, y, { nTrees: 4, maxDepth: 3, minLeaf: 5, seed: 6 }).toJSON();
    const { cover: _dropped, ...old } = json;
    void _dropped;
    const model = GbdtModel.fromJSON(old);
    expect(model.hasCovers).toBe(false);
    let caught: unknown;
    try {
      TreeShapExplainer.forModel(model);
    } catch (e) {
      caught = e;
    }
    expect(isExplainError(caught, 'COVERS_UNAVAILABLE')).toBe(true);
    const background = toFeatureMatrix(Array.from({ length: 50 }, (_, i) => x.subarray(i * 6, (i + 1) * 6)));
    const explainer = TreeShapExplainer.forModel(model, background);
    const row = Array.from(x.subarray(60, 66));
    const e = explainer.explain(row);
    expect(Math.abs(sum(e.contributions) - (model.predictOne(row) - e.baseValue))).toBeLessThan(1e-9);
    const estimated = coversFromBackground(old, background);
    for (const root of old.treeRoots) expect(estimated[root]).toBeGreaterThanOrEqual(50);
  });

  it('rejects a row of the wrong width', () => {
    expect(() => TreeShapExplainer.forModel(handTree()).explain([1])).toThrow(/row has 1 features/);
  });
});
