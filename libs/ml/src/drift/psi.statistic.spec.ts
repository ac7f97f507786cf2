import { DriftError } from './drift.errors';
import { normalSample } from './drift.fixtures';
import { binFractions, populationStabilityIndex, quantileBinEdges } from './psi.statistic';

const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('quantileBinEdges / binFractions', () => {
  it('puts edges at the type-7 reference quantiles, so each reference bin holds 1/bins', () => {
    const edges = quantileBinEdges(oneToTen, 5);
    // q(0.2) = x[0.2·9 = 1.8] = 2 + 0.8·1 = 2.8, and so on.
    [2.8, 4.6, 6.4, 8.2].forEach((e, i) => expect(edges[i]).toBeCloseTo(e, 12));
    expect(binFractions(oneToTen, edges)).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
  });

  it('collapses tied edges on a discrete feature instead of leaving empty bins', () => {
    const sorted = [1, 1, 1, 1, 1, 1, 1, 1, 2, 3];
    const edges = quantileBinEdges(sorted, 4);
    expect(edges).toEqual([1]);
    expect(binFractions(sorted, edges)).toEqual([0.8, 0.2]);
  });
});

describe('populationStabilityIndex', () => {
  it.each<[string, number[], number]>([
    ['identical samples', oneToTen, 0],
    // live shares 0.4, 0.2, 0.2, 0.1, 0.1 vs 0.2 each: 0.2·ln2 + 0.1·ln2 + 0.1·ln2 = 0.4·ln2
    ['a hand-checked reshuffle of shares', [1, 2, 1, 2, 3, 4, 5, 6, 7, 9], 0.4 * Math.LN2],
    // all live mass in bin 1, four empty bins at ε = 1e-4: 0.8·ln5 + 4·(1e-4 − 0.2)·ln(1e-4/0.2)
    ['everything in one bin (ε for empty bins)', [1, 1, 1, 1, 1, 2, 2, 2, 2, 2], 0.8 * Math.log(5) + 4 * (1e-4 - 0.2) * Math.log(1e-4 / 0.2)],
  ])('%s', (_label, live, expected) => {
    const result = populationStabilityIndex(oneToTen, live, { bins: 5 });
    expect(result.psi).toBeCloseTo(expected, 10);
    expect(result.bins).toHaveLength(5);
    expect(result.bins[4].upper).toBe(Number.POSITIVE_INFINITY);
  });

  it('a 0.5 σ mean shift of a normal gives the analytical decile PSI (0.2377) on large seeded samples', () => {
    const reference = normalSample(20_000, 0, 1, 1);
    const live = normalSample(20_000, 0.5, 1, 2);
    expect(populationStabilityIndex(reference, live).psi).toBeGreaterThan(0.2377 - 0.03);
    expect(populationStabilityIndex(reference, live).psi).toBeLessThan(0.2377 + 0.03);
    // Same distribution, different seed: small.
    expect(populationStabilityIndex(reference, normalSample(20_000, 0, 1, 3)).psi).toBeLessThan(0.01);
  });

  it.each<[string, () => unknown, string]>([
    ['an empty live sample', () => populationStabilityIndex(oneToTen, []), 'live: sample is empty'],
    ['a NaN in the reference', () => populationStabilityIndex([1, Number.NaN, 3], [1]), 'reference: value at index 1 is NaN'],
    ['one bin', () => populationStabilityIndex(oneToTen, oneToTen, { bins: 1 }), 'bins ≥ 2'],
  ])('refuses %s with a DriftError saying what is wrong', (_label, act, message) => {
    expect(act).toThrow(DriftError);
    expect(act).toThrow(message);
  });
});
