import { seededRandom } from '../common/random';
import { LstmDurationModel } from './lstm-duration.model';
import { loadTf } from './tfjs-backend.adapter';

describe('LstmDurationModel', () => {
  beforeAll(async () => {
    await loadTf().setBackend('cpu');
  });

  function data(rows: number): { seq: Float32Array; feat: Float64Array; dur: number[] } {
    const rand = seededRandom(4);
    const L = 4;
    const S = 7;
    const seq = new Float32Array(rows * L * S);
    const feat = new Float64Array(rows * 3);
    const dur: number[] = [];
    for (let i = 0; i < rows; i++) {
      const level = 1 + Math.floor(rand() * 4);
      for (let s = 0; s < L; s++) {
        seq[(i * L + s) * S] = 1;
        seq[(i * L + s) * S + 2] = level + (rand() - 0.5) * 0.2;
      }
      feat[i * 3] = rand();
      feat[i * 3 + 1] = level;
      feat[i * 3 + 2] = 1;
      dur.push(Math.expm1(level));
    }
    return { seq, feat, dur };
  }

  it('trains, predicts ordered quantiles and round-trips through JSON', async () => {
    const { seq, feat, dur } = data(256);
    const model = await LstmDurationModel.train(seq, feat, dur, { historyLength: 4, stepFeatures: 7, units: 8, epochs: 20, batchSize: 64, learningRate: 0.02 });
    const { p50, p90 } = model.predictArrays(seq, feat, 256);
    for (let i = 0; i < 256; i++) expect(p90[i]).toBeGreaterThanOrEqual(p50[i]);
    // The history level determines the duration, so the model should get close on the log scale.
    let logErr = 0;
    for (let i = 0; i < 256; i++) logErr += Math.abs(Math.log1p(p50[i]) - Math.log1p(dur[i])) / 256;
    expect(logErr).toBeLessThan(0.5);
    const json = JSON.parse(JSON.stringify(await model.toJSON()));
    const back = await LstmDurationModel.fromJSON(json);
    const again = back.predictArrays(seq, feat, 256);
    expect(Array.from(again.p50)).toEqual(Array.from(p50));
    expect(back.predictBatch([seq.subarray(0, 28)], [Array.from(feat.subarray(0, 3))])[0].p50).toBeCloseTo(p50[0], 6);
    model.dispose();
    back.dispose();
  }, 120_000); // tfjs training on the pure-JS cpu backend: seconds on a quiet machine, far more on a loaded one

  it('rejects mismatched inputs', async () => {
    await expect(LstmDurationModel.train(new Float32Array(5), new Float64Array(3), [1], { historyLength: 4, stepFeatures: 7 })).rejects.toMatchObject({
      code: 'INVALID_TRAINING_DATA',
    });
  });
});
