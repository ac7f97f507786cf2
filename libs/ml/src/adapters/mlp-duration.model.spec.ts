import { seededRandom } from '../common/random';
import { InMemoryModelStore } from '../registry/in-memory-model.store';
import { ModelRegistry } from '../registry/model-registry.service';
import { DURATION_MLP_FORMAT, MlpDurationModel } from './mlp-duration.model';
import { loadTf } from './tfjs-backend.adapter';

describe('MlpDurationModel', () => {
  beforeAll(async () => {
    await loadTf().setBackend('cpu');
  });

  // Duration = e^(level) − 1 with level from feature 1; feature 2 is missing (−1) on half the rows.
  function data(rows: number): { x: { values: Float64Array; rows: number; cols: number }; dur: number[] } {
    const rand = seededRandom(5);
    const values = new Float64Array(rows * 3);
    const dur: number[] = [];
    for (let i = 0; i < rows; i++) {
      const level = 1 + Math.floor(rand() * 4);
      values[i * 3] = rand();
      values[i * 3 + 1] = level;
      values[i * 3 + 2] = i % 2 === 0 ? -1 : rand();
      dur.push(Math.expm1(level));
    }
    return { x: { values, rows, cols: 3 }, dur };
  }

  it('learns, predicts ordered quantiles, and serves the same predictions after a registry round trip', async () => {
    const { x, dur } = data(256);
    const names = ['noise', 'level', 'sometimes_missing'];
    const model = await MlpDurationModel.train(x, dur, names, { hidden: [16], epochs: 40, batchSize: 64, learningRate: 0.03, seed: 3 });
    expect(model.trainedOn).toBe('cpu');
    const p50 = new Float64Array(256);
    const p90 = new Float64Array(256);
    model.predictInto(x, p50, p90);
    let logErr = 0;
    for (let i = 0; i < 256; i++) {
      expect(p90[i]).toBeGreaterThanOrEqual(p50[i]);
      logErr += Math.abs(Math.log1p(p50[i]) - Math.log1p(dur[i])) / 256;
    }
    expect(logErr).toBeLessThan(0.3);
    const registry = new ModelRegistry({ store: new InMemoryModelStore() });
    const v = await registry.register({
      name: 'duration-mlp',
      artifact: await model.toBytes(),
      artifactFormat: DURATION_MLP_FORMAT,
      metrics: { validationMaeMs: 1 },
      trainingWindow: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T00:00:00.000Z' },
      features: names,
      backend: model.trainedOn,
      createdBy: 'test',
    });
    expect(v.backend).toBe('cpu');
    const served = await MlpDurationModel.fromBytes((await registry.loadArtifact('duration-mlp', 1, names)).bytes);
    const again50 = new Float64Array(256);
    served.predictInto(x, again50, new Float64Array(256));
    expect(Array.from(again50)).toEqual(Array.from(p50));
    model.dispose();
    served.dispose();
  }, 120_000);

  it('rejects bad inputs and artifacts with typed errors', async () => {
    await expect(MlpDurationModel.train({ values: new Float64Array(3), rows: 1, cols: 3 }, [1], ['a'])).rejects.toMatchObject({ code: 'INVALID_TRAINING_DATA' });
    await expect(MlpDurationModel.fromBytes(new TextEncoder().encode('{"kind":"duration-gbdt","version":1}'))).rejects.toMatchObject({ code: 'INVALID_ARTIFACT' });
  });
});
