import type { Prediction } from '@kairos/client';
import { PredictionCache } from './prediction.cache';

const pred = (p50Ms: number, basedOn = 10): Prediction => ({ p50Ms, p90Ms: p50Ms * 2, model: 'moving-average', modelVersion: 'v1', basedOn });

describe('PredictionCache', () => {
  it('keeps a found prediction, asks again for a missing one at most every second and five times', async () => {
    let now = 0;
    const asked: string[] = [];
    const answers: Record<string, Prediction | null> = { a: pred(4_000), b: null };
    const cache = new PredictionCache({ predictionForTask: async (id) => (asked.push(id), answers[id]) }, () => now);
    await cache.refresh(['a', 'b']);
    await cache.refresh(['a', 'b']);
    expect(asked).toEqual(['a', 'b']);
    for (let i = 0; i < 10; i++) {
      now += 1_000;
      await cache.refresh(['a', 'b']);
    }
    expect(asked.filter((x) => x === 'b')).toHaveLength(5);
    expect(cache.known.get('a')).toEqual({ p50Ms: 4_000, p90Ms: 8_000 });
    expect(cache.known.has('b')).toBe(false);
  });

  it('ignores an estimate based on no observations (the moving average before it has seen the task)', async () => {
    const cache = new PredictionCache({ predictionForTask: async () => pred(0, 0) }, () => 0);
    await cache.refresh(['a']);
    expect(cache.known.size).toBe(0);
  });

  it('asks at most ten per round, and stops asking after an error (no analyzer, no permission)', async () => {
    let calls = 0;
    const many = new PredictionCache({ predictionForTask: async () => (calls++, pred(1_000)) }, () => 0);
    await many.refresh(Array.from({ length: 25 }, (_, i) => `t${i}`));
    expect(calls).toBe(10);
    let failing = 0;
    const broken = new PredictionCache(
      {
        predictionForTask: async () => {
          failing++;
          throw new Error('403');
        },
      },
      () => 0,
    );
    await broken.refresh(['a', 'b']);
    await broken.refresh(['c']);
    expect(failing).toBe(1);
  });
});
