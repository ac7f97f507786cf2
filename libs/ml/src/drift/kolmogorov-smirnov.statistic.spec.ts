import { normalSample } from './drift.fixtures';
import { kolmogorovSmirnovTest, kolmogorovSurvival, ksStatisticOfSorted } from './kolmogorov-smirnov.statistic';

describe('kolmogorovSurvival', () => {
  // Reference values: scipy.stats.kstwobign.sf (scipy 1.17).
  it.each([
    [0.3, 0.9999906941986655],
    [0.5, 0.9639452436648751],
    [1.0, 0.26999967167735456],
    [1.18, 0.1234538094297657],
    [1.36, 0.049485876755377876],
    [1.63, 0.009846364888486529],
    [2.0, 0.0006709252557796953],
    [3.0, 3.045995948942526e-8],
  ])('Q(%f) = %f', (lambda, expected) => {
    expect(kolmogorovSurvival(lambda)).toBeCloseTo(expected, 10);
  });

  it('is 1 at 0 and decreasing', () => {
    expect(kolmogorovSurvival(0)).toBe(1);
    const values = [0.1, 0.4, 0.8, 1.17, 1.19, 1.5, 2.5].map(kolmogorovSurvival);
    values.slice(1).forEach((v, i) => expect(v).toBeLessThan(values[i]));
  });
});

describe('kolmogorovSmirnovTest', () => {
  // p-values: Q((√nₑ + 0.12 + 0.11/√nₑ)·D), Q from scipy kstwobign.sf.
  it.each<[string, number[], number[], number, number]>([
    ['identical samples', [1, 2, 3, 4], [1, 2, 3, 4], 0, 1],
    ['disjoint samples', [1, 2, 3, 4], [5, 6, 7, 8], 1, 0.011065637015803861],
    ['half overlap', [1, 2, 3, 4], [3, 4, 5, 6], 0.5, 0.5344157192165071],
    ['ties consumed on both sides', [1, 1, 2], [1, 2, 2], 1 / 3, 0.9762126488644778],
  ])('%s', (_label, a, b, d, p) => {
    const result = kolmogorovSmirnovTest(a, b);
    expect(result.statistic).toBeCloseTo(d, 12);
    expect(result.pValue).toBeCloseTo(p, 10);
    expect(kolmogorovSmirnovTest(b, a).statistic).toBeCloseTo(d, 12);
  });

  it('D = 0.2 with n = m = 100 gives p = Q(1.4413) = 0.03138', () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const b = Array.from({ length: 100 }, (_, i) => i + 20);
    const result = kolmogorovSmirnovTest(a, b);
    expect(result.statistic).toBeCloseTo(0.2, 12);
    expect(result.pValue).toBeCloseTo(0.03137665215307253, 8);
  });

  it('does not depend on input order', () => {
    expect(ksStatisticOfSorted([1, 2, 3], [2, 3, 4])).toBeCloseTo(kolmogorovSmirnovTest([3, 1, 2], [4, 2, 3]).statistic, 12);
  });

  it('flags a 0.5 σ shift and not a resample on seeded normals', () => {
    const reference = normalSample(2_000, 0, 1, 11);
    const shifted = kolmogorovSmirnovTest(reference, normalSample(2_000, 0.5, 1, 12));
    expect(shifted.statistic).toBeGreaterThan(0.15);
    expect(shifted.pValue).toBeLessThan(1e-10);
    const same = kolmogorovSmirnovTest(reference, normalSample(2_000, 0, 1, 13));
    expect(same.statistic).toBeLessThan(0.05);
    expect(same.pValue).toBeGreaterThan(0.01);
  });
});
