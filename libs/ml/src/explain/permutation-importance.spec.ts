import type { FeatureMatrix } from '../prediction/gradient-boosting.model';
import { trainGbdt } from '../prediction/gradient-boosting.model';
import { seededRandom } from '../common/random';
import { meanAbsoluteShap, permutationImportance } from './permutation-importance';
import { importanceFromMetrics, importanceToMetrics, withoutImportance } from './feature-importance.metrics';
import { TreeShapExplainer } from './tree-shap.explainer';
import { FeatureImportanceSchema } from '@kairos/contracts';

const REF = { name: 'duration', version: 2, featureSchemaHash: 'b'.repeat(64) };

/** f(x) = 2·x0 (x1 ignored), rows x0 ∈ {0, 1} alternating: every shuffle of x0 changes the error by a computable amount. */
function linearCase(): { x: FeatureMatrix; y: Float64Array; predict: (m: FeatureMatrix) => Float64Array } {
  const rows = 4;
  const values = Float64Array.from([0, 5, 1, 6, 0, 7, 1, 8]);
  const predict = (m: FeatureMatrix): Float64Array => Float64Array.from({ length: m.rows }, (_, i) => 2 * m.values[i * m.cols]);
  return { x: { values, rows, cols: 2 }, y: Float64Array.from([0, 2, 0, 2]), predict };
}

describe('permutationImportance', () => {
  it('is zero for an ignored feature and the hand-computed MAE increase for the used one', () => {
    const { x, y, predict } = linearCase();
    const r = permutationImportance(predict, x, y, { repeats: 200, seed: 7 });
    expect(r.baseline).toBe(0);
    expect(r.increase[1]).toBe(0);
    expect(r.std[1]).toBe(0);
    // A uniform shuffle of x0 = [0,1,0,1] gives each of the 6 arrangements of two 0s and two 1s with probability
    // 1/6: one leaves 0 rows wrong, four leave 2 wrong, one leaves 4 wrong. A wrong row costs |2·1| = 2, so
    // E[MAE] = (1/6)·0 + (4/6)·(2·2/4) + (1/6)·(2·4/4) = 2/3 + 1/3 = 1 (200 repeats: within ±0.15).
    expect(r.increase[0]).toBeGreaterThan(0.85);
    expect(r.increase[0]).toBeLessThan(1.15);
    // Seeded: the same call gives the same figures; the input matrix is left untouched.
    expect(permutationImportance(predict, x, y, { repeats: 200, seed: 7 }).increase).toEqual(r.increase);
    expect(Array.from(x.values)).toEqual([0, 5, 1, 6, 0, 7, 1, 8]);
  });

  it('ranks the driving feature of a trained GBDT first, by permutation and by mean |SHAP|, and round-trips through registry metrics', () => {
    const random = seededRandom(3);
    const rows = 800;
    const cols = 4;
    const values = new Float64Array(rows * cols);
    const y = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) values[i * cols + j] = random();
      y[i] = 5 * values[i * cols + 2] + 0.5 * values[i * cols] + 0.05 * random();
    }
    const train: FeatureMatrix = { values: values.subarray(0, 600 * cols), rows: 600, cols };
    const val: FeatureMatrix = { values: values.subarray(600 * cols), rows: 200, cols };
    const model = trainGbdt(train, y.subarray(0, 600), { nTrees: 60, maxDepth: 3, minLeaf: 5, learningRate: 0.2, seed: 1 });
    const perm = permutationImportance((m) => model.predict(m), val, y.subarray(600), { seed: 1 });
    const shap = meanAbsoluteShap(TreeShapExplainer.forModel(model), val);
    const best = (a: ArrayLike<number>): number => Array.from(a).reduce((bi, v, i, arr) => (v > arr[bi] ? i : bi), 0);
    expect(best(perm.increase)).toBe(2);
    expect(best(shap)).toBe(2);
    expect(perm.increase[1]).toBeLessThan(0.05 * perm.increase[2]);

    const names = ['a', 'b.with.dots', 'c', 'd'];
    const metrics = { validationMaeMs: 12, ...importanceToMetrics(names, perm, 200, shap) };
    const back = importanceFromMetrics(metrics, names, REF);
    expect(FeatureImportanceSchema.parse(back)).toEqual(back);
    expect(back?.features.map((f) => f.feature)).toEqual(names);
    expect(back?.features[1].permutationIncrease).toBe(perm.increase[1]);
    expect(back?.features[2].meanAbsShap).toBe(shap[2]);
    expect(withoutImportance(metrics)).toEqual({ validationMaeMs: 12 });
  });

  it('reads "no importance" from a version registered before importances existed', () => {
    expect(importanceFromMetrics({ validationMaeMs: 3 }, ['a'], REF)).toBeNull();
  });

  it('rejects mismatched targets and a bad repeat count', () => {
    const { x, predict } = linearCase();
    expect(() => permutationImportance(predict, x, [1, 2])).toThrow(/4 rows but 2 targets/);
    expect(() => permutationImportance(predict, x, [0, 0, 0, 0], { repeats: 0 })).toThrow(/repeats/);
  });
});
