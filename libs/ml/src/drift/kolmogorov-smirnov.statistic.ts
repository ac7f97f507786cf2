import { sortedSample } from './sorted-sample';

export interface KsResult {
  /** D = sup |F_ref(x) − F_live(x)|, in [0, 1]. */
  readonly statistic: number;
  /** Asymptotic two-sided p-value of H0 "same distribution". */
  readonly pValue: number;
  readonly referenceCount: number;
  readonly liveCount: number;
}

/**
 * Largest gap between the two empirical CDFs of ascending samples. Equal values are consumed from
 * both sides before the gap is measured, so ties (discrete features) do not inflate D.
 */
export function ksStatisticOfSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i], b[j]);
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/**
 * Survival function of the Kolmogorov distribution, Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}.
 * For small λ that alternating series converges slowly, so use the Jacobi-theta dual form
 * 1 − (√(2π)/λ) Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)} there; both converge in a handful of terms.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    let sum = 0;
    for (let k = 1; k <= 20; k++) {
      const term = Math.exp(-((2 * k - 1) ** 2) * Math.PI ** 2 / (8 * lambda * lambda));
      sum += term;
      if (term < 1e-17) break;
    }
    return clamp01(1 - (Math.sqrt(2 * Math.PI) / lambda) * sum);
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return clamp01(2 * sum);
}

/**
 * Two-sample Kolmogorov–Smirnov test. p-value: asymptotic Kolmogorov distribution at
 * λ = (√nₑ + 0.12 + 0.11/√nₑ)·D with nₑ = nm/(n+m) (Stephens 1970, as in Numerical Recipes §14.3),
 * which is accurate for nₑ ≳ 4 and conservative below.
 */
export function kolmogorovSmirnovTest(reference: ArrayLike<number>, live: ArrayLike<number>): KsResult {
  return ksTestOfSorted(sortedSample(reference, 'reference'), sortedSample(live, 'live'));
}

export function ksTestOfSorted(reference: ArrayLike<number>, live: ArrayLike<number>): KsResult {
  const statistic = ksStatisticOfSorted(reference, live);
  const n = reference.length;
  const m = live.length;
  const sqrtNe = Math.sqrt((n * m) / (n + m));
  const pValue = kolmogorovSurvival((sqrtNe + 0.12 + 0.11 / sqrtNe) * statistic);
  return { statistic, pValue, referenceCount: n, liveCount: m };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
