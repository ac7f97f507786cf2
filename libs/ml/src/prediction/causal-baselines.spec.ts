import { CausalBaselineState, SortedBag, shapeKeyOf } from './causal-baselines';

const task = (jobId: string, instanceNum = 1, planCpu: number | null = 50, planMem: number | null = 0.01) => ({ jobId, instanceNum, planCpu, planMem });

describe('SortedBag', () => {
  it('keeps values sorted and gives type-7 quantiles (checked against numpy.quantile)', () => {
    const b = new SortedBag();
    expect(b.quantile(0.5)).toBeNaN();
    for (const v of [5, 1, 9, 3, 7, 7, 2, 40, 11, 0, 6, 8, 13, 4, 1, 2, 3, 100]) b.add(v);
    expect(b.size).toBe(18);
    // numpy.quantile([5,1,9,3,7,7,2,40,11,0,6,8,13,4,1,2,3,100], [0.5, 0.9]) = [5.5, 21.1]
    expect(b.quantile(0.5)).toBeCloseTo(5.5);
    expect(b.quantile(0.9)).toBeCloseTo(21.1);
  });

  it('with a capacity keeps only the most recent values, sorted, and its size bounded', () => {
    const b = new SortedBag(5);
    const added: number[] = [];
    // Duplicates and out-of-order values: the oldest one leaves, whichever position it sorts to.
    for (let i = 0; i < 2_000; i++) {
      const v = (i * 7919) % 13;
      b.add(v);
      added.push(v);
      expect(b.size).toBe(Math.min(i + 1, 5));
    }
    const last = added.slice(-5).sort((x, y) => x - y);
    expect([0, 0.25, 0.5, 0.75, 1].map((q) => b.quantile(q))).toEqual(last);
    b.add(Number.NaN);
    for (let i = 0; i < 5; i++) b.add(100 + i);
    expect(b.size).toBe(5);
    expect([b.quantile(0), b.quantile(1)]).toEqual([100, 104]);
  });

  it('grows towards a large capacity as values arrive, then keeps the most recent ones', () => {
    const b = new SortedBag(100);
    const added: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      const v = (i * 7919) % 257;
      b.add(v);
      added.push(v);
      const window = added.slice(-100).sort((x, y) => x - y);
      if (i % 37 === 0 || i < 120) expect([0, 0.5, 1].map((q) => b.quantile(q))).toEqual([window[0], (window[Math.floor((window.length - 1) / 2)] + window[Math.ceil((window.length - 1) / 2)]) / 2, window[window.length - 1]]);
    }
    // Capacity is a bound, not an up-front allocation: a bag per job must stay small for a job's few tasks.
    const small = new SortedBag(20_000);
    small.add(1);
    expect((small as unknown as { ring: Float64Array }).ring.length).toBeLessThanOrEqual(16);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new SortedBag(0)).toThrow(RangeError);
  });
});

describe('CausalBaselineState', () => {
  it('median lookups by shape and by job, each with its fallback', () => {
    const s = new CausalBaselineState({ maWindows: [2] });
    expect(s.estimate(task('j1'))).toMatchObject({ medianShape: 0, medianJob: 0, maGlobal: [0], shapeCount: 0 });
    s.observe(task('j1'), 10);
    s.observe(task('j2'), 30);
    s.observe(task('j2', 4), 100); // another shape
    // Same shape as the first two: median 20; job j1 has 10; a new job falls back to the shape's median.
    expect(s.estimate(task('j1'))).toMatchObject({ medianShape: 20, medianJob: 10, jobCount: 1, shapeCount: 2, globalMedian: 30 });
    expect(s.estimate(task('new'))).toMatchObject({ medianJob: 20 });
    // An unseen shape falls back to the global median; the moving averages to the cluster-wide ones.
    const unseen = s.estimate(task('new', 9));
    expect(unseen).toMatchObject({ medianShape: 30, medianJob: 30, maGlobal: [65], maShape: [65] });
    expect(s.estimate(task('x')).maShape).toEqual([20]);
  });

  it('maxPerBag bounds what the global, per-shape and per-job bags keep (the last durations)', () => {
    const s = new CausalBaselineState({ maxPerBag: 3 });
    for (let i = 1; i <= 1_000; i++) s.observe(task('j1'), i);
    // Unbounded the median would be 500.5; bounded it is the median of 998, 999, 1000.
    expect(s.estimate(task('j1'))).toMatchObject({ medianShape: 999, medianJob: 999, globalMedian: 999, finishedCount: 3, shapeCount: 3, jobCount: 3 });
    expect(new CausalBaselineState().options.maxPerBag).toBe(Infinity);
  });

  it('keys shapes by exact (plan_cpu, plan_mem, instance_num), empty requests included', () => {
    expect(shapeKeyOf({ planCpu: 50, planMem: 0.01, instanceNum: 3 })).toBe('50|0.01|3');
    expect(shapeKeyOf({ planCpu: null, planMem: null, instanceNum: 3 })).toBe('-|-|3');
    expect(shapeKeyOf({ planCpu: 50, planMem: 0.01, instanceNum: 4 })).not.toBe(shapeKeyOf({ planCpu: 50, planMem: 0.01, instanceNum: 3 }));
  });
});
