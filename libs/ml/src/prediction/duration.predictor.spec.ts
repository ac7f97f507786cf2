import { toFeatureMatrix, trainGbdt } from './gradient-boosting.model';
import { DurationPredictor } from './duration.predictor';
import { PredictionError } from './prediction.errors';
import { seededRandom } from '../common/random';

function synthetic(n: number, seed: number): { x: number[][]; d: number[] } {
  const rand = seededRandom(seed);
  const x: number[][] = [];
  const d: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = Math.floor(rand() * 4);
    x.push([size, rand()]);
    // Log-normal durations whose median is 10 × 4^size seconds.
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    d.push(10 * 4 ** size * Math.exp(0.5 * z));
  }
  return { x, d };
}

describe('DurationPredictor', () => {
  const train = synthetic(4000, 1);
  const model = DurationPredictor.train(toFeatureMatrix(train.x), train.d, {
    featureNames: ['size', 'noise'],
    central: { nTrees: 60, loss: 'quantile', alpha: 0.5 },
    upper: { nTrees: 60 },
  });

  it.each([
    [0, 10],
    [1, 40],
    [2, 160],
    [3, 640],
  ])('central estimate for size %p is near the true median %p s', (size, median) => {
    const [p] = model.predictBatch([[size, 0.5]]);
    expect(p.p50 / median).toBeGreaterThan(0.85);
    expect(p.p50 / median).toBeLessThan(1.15);
    expect(p.p90).toBeGreaterThanOrEqual(p.p50);
  });

  it('p90 covers about 90 % of fresh tasks', () => {
    const test = synthetic(4000, 2);
    const preds = model.predictBatch(test.x);
    const covered = test.d.filter((v, i) => v <= preds[i].p90).length / test.d.length;
    expect(covered).toBeGreaterThan(0.87);
    expect(covered).toBeLessThan(0.93);
  });

  it('round-trips through bytes with identical predictions', () => {
    const back = DurationPredictor.fromBytes(model.toBytes());
    const rows = synthetic(50, 3).x;
    expect(back.predictBatch(rows)).toEqual(model.predictBatch(rows));
    expect(back.featureNames).toEqual(['size', 'noise']);
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{oops')],
    ['wrong kind', new TextEncoder().encode('{"kind":"other","version":1}')],
  ])('rejects an artifact that is %s', (_name, bytes) => {
    expect(() => DurationPredictor.fromBytes(bytes)).toThrow(PredictionError);
  });

  it('rejects a feature row of the wrong width', () => {
    expect(() => model.predictBatch([[1]])).toThrow(/expected 2/);
  });

  it('fromModels assembles fitted ensembles (here a Huber central model) and checks their width', () => {
    const x = toFeatureMatrix(train.x);
    const y = train.d.map((v) => Math.log1p(v));
    const central = trainGbdt(x, y, { nTrees: 60, loss: 'huber', alpha: 0.5 });
    const upper = trainGbdt(x, y, { nTrees: 60, loss: 'quantile', alpha: 0.9 });
    const p = DurationPredictor.fromModels(['size', 'noise'], 0.9, central, upper);
    const [q] = p.predictBatch([[2, 0.5]]);
    // Median of the size-2 group is 10 × 4² = 160 s.
    expect(q.p50).toBeGreaterThan(160 * 0.85);
    expect(q.p50).toBeLessThan(160 * 1.15);
    expect(q.p90).toBeGreaterThan(q.p50);
    expect(DurationPredictor.fromBytes(p.toBytes()).predictBatch([[2, 0.5]])[0].p50).toBeCloseTo(q.p50, 10);
    expect(() => DurationPredictor.fromModels(['size'], 0.9, central, upper)).toThrow(PredictionError);
  });
});

