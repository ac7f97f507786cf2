import { gatherBuckets, hashTokens, tokenBucket, topFrequentBuckets } from './hashed-ngram.vectorizer';
import { murmur3 } from './murmur3.hash';
import { fitSparseRidge, predictSparseRidge } from './sparse-ridge.regressor';

describe('hashTokens', () => {
  it('puts each token in bucket murmur3 mod 2^bits with the sign of its top bit, summing repeats', () => {
    const v = hashTokens(['w:map', 'w:map', 'w:merge'], 10, 7, false);
    const expectRaw = new Map<number, number>();
    for (const t of ['w:map', 'w:map', 'w:merge']) {
      const h = murmur3(t, 7);
      expectRaw.set(h & 1023, (expectRaw.get(h & 1023) ?? 0) + (h >>> 31 ? -1 : 1));
    }
    expect(Array.from(v.index)).toEqual([...expectRaw.keys()].sort((a, b) => a - b));
    v.index.forEach((b, k) => expect(v.value[k]).toBe(expectRaw.get(b)));
    expect(Array.from(v.value).map(Math.abs)).toContain(2);
  });

  it('L2-normalises by default and is deterministic', () => {
    const a = hashTokens(['x', 'y', 'z'], 12, 1);
    expect(Array.from(a.value).reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 12);
    expect(hashTokens(['x', 'y', 'z'], 12, 1)).toEqual(a);
    expect(tokenBucket('x', 12, 1)).toBe(murmur3('x', 1) & 4095);
  });

  it('ranks buckets by how many rows hold them and gathers them densely', () => {
    const rows = [hashTokens(['a', 'b'], 12, 0, false), hashTokens(['a'], 12, 0, false), hashTokens(['c', 'a'], 12, 0, false)];
    const top = topFrequentBuckets(rows, 1);
    expect(Array.from(top)).toEqual([tokenBucket('a', 12, 0)]);
    expect(Math.abs(gatherBuckets(rows[1], top)[0])).toBe(1);
    expect(Array.from(gatherBuckets(rows[0], Int32Array.from([tokenBucket('c', 12, 0)])))).toEqual([0]);
  });
});

describe('fitSparseRidge', () => {
  it('matches the closed-form ridge solution on a small dense problem', () => {
    const dim = 6;
    const rows = Array.from({ length: 15 }, (_, i) => {
      const index = Int32Array.from([i % dim, (i * 7 + 1) % dim, (i * 3 + 2) % dim].filter((v, k, a) => a.indexOf(v) === k).sort((a, b) => a - b));
      return { index, value: Float64Array.from(index, (j) => ((i + 1) * (j + 2)) % 5 - 2) };
    });
    const y = Array.from({ length: 15 }, (_, i) => Math.sin(i) * 3 + 1);
    const lambda = 0.5;
    const model = fitSparseRidge(rows, y, dim, lambda, 500, 1e-20);
    // Closed form: (XᵀX + λI) w = Xᵀ(y − ȳ), Gaussian elimination.
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const A = Array.from({ length: dim }, (_, r) => Array.from({ length: dim + 1 }, (_, c) => (r === c ? lambda : 0)));
    rows.forEach((row, i) => {
      row.index.forEach((a, ka) => {
        row.index.forEach((b, kb) => (A[a][b] += row.value[ka] * row.value[kb]));
        A[a][dim] += row.value[ka] * (y[i] - mean);
      });
    });
    for (let c = 0; c < dim; c++) {
      for (let r = c + 1; r < dim; r++) {
        const f = A[r][c] / A[c][c];
        for (let k = c; k <= dim; k++) A[r][k] -= f * A[c][k];
      }
    }
    const w = new Array<number>(dim).fill(0);
    for (let r = dim - 1; r >= 0; r--) {
      let s = A[r][dim];
      for (let k = r + 1; k < dim; k++) s -= A[r][k] * w[k];
      w[r] = s / A[r][r];
    }
    expect(model.intercept).toBeCloseTo(mean, 12);
    w.forEach((wj, j) => expect(model.weights[j]).toBeCloseTo(wj, 8));
    expect(predictSparseRidge(model, rows[0])).toBeCloseTo(mean + rows[0].index.reduce((s, j, k) => s + rows[0].value[k] * w[j], 0), 8);
  });

  it('rejects a non-positive lambda', () => {
    expect(() => fitSparseRidge([], [], 4, 0)).toThrow(/lambda/);
  });
});
