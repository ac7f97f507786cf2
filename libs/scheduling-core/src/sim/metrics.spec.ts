import { percentile, summariseJobCompletion, summariseWaits } from './metrics';

describe('wait and JCT summaries', () => {
  it('per instance vs per task, hand-computed', () => {
    // Task 0: waits [0]; task 1: [100, 110, 120]; task 2: [10, 30].
    const s = summariseWaits([0, 1, 4, 6], [0, 100, 110, 120, 10, 30]);
    expect(s.perInstance.mean).toBeCloseTo(370 / 6, 12);
    expect(s.perTask.mean).toBeCloseTo((0 + 110 + 20) / 3, 12);
    expect(s.perInstance.p95).toBe(120);
    expect(s.perTask.p95).toBe(110);
  });

  it('JCT per job = last end of any of its tasks − its first arrival', () => {
    const tasks = [
      { jobId: 'a', arrival: 5 },
      { jobId: 'b', arrival: 0 },
      { jobId: 'a', arrival: 2 },
    ];
    const j = summariseJobCompletion(tasks, [50, 10, 30]);
    expect(j.jobs).toBe(2);
    expect(j.mean).toBeCloseTo((50 - 2 + (10 - 0)) / 2, 12);
    expect(j.p95).toBe(48);
  });

  it('nearest-rank percentile', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([], 95)).toBe(0);
  });
});
