import { GbdtModel, averageGbdtModels, huberDelta, toFeatureMatrix, trainGbdt, weightedQuantile } from './gradient-boosting.model';
import { PredictionError } from './prediction.errors';
import { seededRandom } from '../common/random';

describe('trainGbdt', () => {
  it('fits a step function exactly enough on both sides of the step', () => {
    const xs = Array.from({ length: 200 }, (_, i) => [i / 200]);
    const y = xs.map(([x]) => (x < 0.5 ? 1 : 5));
    const m = trainGbdt(toFeatureMatrix(xs), y, { nTrees: 50, learningRate: 0.3, maxDepth: 2, minLeaf: 5, subsample: 1, maxBins: 255 });
    const cases: Array<[number, number]> = [
      [0.1, 1],
      [0.45, 1],
      [0.55, 5],
      [0.9, 5],
    ];
    for (const [x, expected] of cases) expect(m.predictOne([x])).toBeCloseTo(expected, 2);
  });

  it('ignores an irrelevant feature and splits on the relevant one', () => {
    const rand = seededRandom(5);
    const xs = Array.from({ length: 300 }, () => [rand(), rand()]);
    const y = xs.map(([, b]) => (b > 0.3 ? 10 : 0));
    const m = trainGbdt(toFeatureMatrix(xs), y, { nTrees: 30, learningRate: 0.5, maxDepth: 1, minLeaf: 5, subsample: 1, maxBins: 255 });
    expect(m.predictOne([0.9, 0.1])).toBeCloseTo(0, 1);
    expect(m.predictOne([0.1, 0.9])).toBeCloseTo(10, 1);
  });

  it.each([
    [0.5, 0.5],
    [0.9, 0.9],
    [0.1, 0.1],
  ])('quantile loss alpha=%p covers about %p of fresh data', (alpha, expected) => {
    const rand = seededRandom(11);
    const gen = (n: number): { x: number[][]; y: number[] } => {
      const x: number[][] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = rand();
        x.push([a]);
        // Noise whose spread grows with x, so a constant offset would not do.
        y.push(3 * a + (rand() - 0.5) * (0.2 + 2 * a));
      }
      return { x, y };
    };
    const train = gen(3000);
    const test = gen(3000);
    const m = trainGbdt(toFeatureMatrix(train.x), train.y, { loss: 'quantile', alpha, nTrees: 80, learningRate: 0.2, maxDepth: 3, minLeaf: 30 });
    const p = m.predict(toFeatureMatrix(test.x));
    const covered = test.y.filter((v, i) => v <= p[i]).length / test.y.length;
    expect(Math.abs(covered - expected)).toBeLessThan(0.04);
  });

  it('huber loss: splits on the clipped residuals and puts the median of each side in the leaves', () => {
    // Side x=0: 1,2,3,4 and an outlier 100 (median 3); side x=1: 10..13 and an outlier -50 (median 11).
    const xs = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1].map((v) => [v]);
    const y = [1, 2, 3, 4, 100, 10, 11, 12, 13, -50];
    const p = { loss: 'huber', nTrees: 1, learningRate: 1, maxDepth: 1, minLeaf: 1, subsample: 1 } as const;
    const m = trainGbdt(toFeatureMatrix(xs), y, p);
    // base = median of all ten = (4 + 10) / 2 = 7; leaves = median residual per side: -4 and +4.
    expect(m.base).toBe(7);
    expect(m.predictOne([0])).toBeCloseTo(3, 10);
    expect(m.predictOne([1])).toBeCloseTo(11, 10);
    // l2 would be pulled by the outliers: the side means are 22 and -0.8.
    const l2 = trainGbdt(toFeatureMatrix(xs), y, { ...p, loss: 'l2' });
    expect(l2.predictOne([0])).toBeCloseTo(22, 10);
    expect(l2.predictOne([1])).toBeCloseTo(-0.8, 10);
    expect(GbdtModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).predictOne([1])).toBeCloseTo(11, 10);
  });

  it('huberDelta is the q-quantile of |residual|', () => {
    expect(huberDelta([1, -2, 3, -4, 5], 0.5)).toBe(3);
    expect(huberDelta([1, -2, 3, -4, 5], 1)).toBe(5);
  });

  it('weightedQuantile returns the first value whose cumulative weight reaches alpha × total', () => {
    expect(weightedQuantile([4, 1, 3, 2], [1, 1, 1, 1], 4, 0.5)).toBe(2);
    expect(weightedQuantile([1, 2, 3], [1, 1, 10], 3, 0.5)).toBe(3);
    expect(weightedQuantile([1, 2, 3], [1, 1, 10], 3, 0.1)).toBe(2);
    expect(weightedQuantile([], [], 0, 0.5)).toBe(0);
  });

  it('row weights move the base score and the leaves to the weighted median / mean', () => {
    const xs = [[0], [0], [0]];
    const y = [1, 2, 3];
    const p = { nTrees: 1, learningRate: 1, minLeaf: 1, subsample: 1 } as const;
    expect(trainGbdt(toFeatureMatrix(xs), y, { ...p, loss: 'quantile', alpha: 0.5 }).predictOne([0])).toBe(2);
    // weights 1, 1, 5: cumulative 1, 2, 7 reaches 3.5 at y = 3; the weighted mean is (1 + 2 + 15) / 7.
    expect(trainGbdt(toFeatureMatrix(xs), y, { ...p, loss: 'quantile', alpha: 0.5 }, [1, 1, 5]).predictOne([0])).toBe(3);
    expect(trainGbdt(toFeatureMatrix(xs), y, { ...p, loss: 'l2' }, [1, 1, 5]).predictOne([0])).toBeCloseTo(18 / 7, 10);
    expect(() => trainGbdt(toFeatureMatrix(xs), y, p, [1, 0, 1])).toThrow(PredictionError);
    expect(() => trainGbdt(toFeatureMatrix(xs), y, p, [1, 1])).toThrow(PredictionError);
  });

  it('averageGbdtModels predicts the mean of its members (one artifact)', () => {
    const rand = seededRandom(4);
    const xs = Array.from({ length: 300 }, () => [rand(), rand()]);
    const y = xs.map(([a, b]) => (a > 0.5 ? 3 : 0) + b);
    const members = [1, 2, 3].map((seed) => trainGbdt(toFeatureMatrix(xs), y, { nTrees: 15, seed, subsample: 0.7 }));
    const avg = averageGbdtModels(members);
    expect(avg.treeCount).toBe(45);
    const probe = toFeatureMatrix(Array.from({ length: 600 }, () => [rand(), rand()]));
    const got = avg.predict(probe);
    const each = members.map((m) => m.predict(probe));
    for (let i = 0; i < probe.rows; i++) expect(got[i]).toBeCloseTo((each[0][i] + each[1][i] + each[2][i]) / 3, 10);
    // Hand case: two constant models (base 2 and base 4, no splits) average to 3.
    const c2 = trainGbdt(toFeatureMatrix([[0], [0]]), [2, 2], { nTrees: 1, minLeaf: 1 });
    const c4 = trainGbdt(toFeatureMatrix([[0], [0]]), [4, 4], { nTrees: 1, minLeaf: 1 });
    expect(averageGbdtModels([c2, c4]).predictOne([0])).toBe(3);
    expect(() => averageGbdtModels([])).toThrow(PredictionError);
  });

  it('is deterministic for a seed', () => {
    const xs = Array.from({ length: 100 }, (_, i) => [i % 7, i % 3]);
    const y = xs.map(([a, b]) => a * 2 + b);
    const a = trainGbdt(toFeatureMatrix(xs), y, { nTrees: 10, seed: 3 });
    const b = trainGbdt(toFeatureMatrix(xs), y, { nTrees: 10, seed: 3 });
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it('round-trips through JSON with identical predictions', () => {
    const rand = seededRandom(2);
    const xs = Array.from({ length: 200 }, () => [rand(), rand(), rand()]);
    const y = xs.map(([a, b, c]) => Math.sin(6 * a) + b * c);
    const m = trainGbdt(toFeatureMatrix(xs), y, { nTrees: 20 });
    const back = GbdtModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(Array.from(back.predict(toFeatureMatrix(xs)))).toEqual(Array.from(m.predict(toFeatureMatrix(xs))));
  });

  it.each([
    ['empty data', () => trainGbdt(toFeatureMatrix([]), []), 'INVALID_TRAINING_DATA'],
    ['NaN target', () => trainGbdt(toFeatureMatrix([[1]]), [NaN]), 'INVALID_TRAINING_DATA'],
    ['bad alpha', () => trainGbdt(toFeatureMatrix([[1]]), [1], { alpha: 1 }), 'INVALID_PARAMS'],
    ['bad huberQuantile', () => trainGbdt(toFeatureMatrix([[1]]), [1], { loss: 'huber', huberQuantile: 0 }), 'INVALID_PARAMS'],
    ['bad artifact', () => GbdtModel.fromJSON({ kind: 'gbdt', version: 1, loss: 'l2' }), 'INVALID_ARTIFACT'],
    ['wrong width', () => trainGbdt(toFeatureMatrix([[1], [2]]), [1, 2], { minLeaf: 1 }).predictOne([1, 2]), 'INVALID_FEATURES'],
  ])('rejects %s with a typed error', (_name, fn, code) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PredictionError);
    expect((err as PredictionError).code).toBe(code);
  });
});
