import { GbdtModel, toFeatureMatrix, trainGbdt } from './gradient-boosting.model';
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
