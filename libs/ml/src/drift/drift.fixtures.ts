import { seededRandom } from '../common/random';
/** Test-only seeded samplers (mulberry32 + Box–Muller); not exported from the barrel. */
export function seededUniform(seed: number): () => number {
  return seededRandom(seed);
}

export function normalSample(n: number, mean: number, sd: number, seed: number): Float64Array {
  const u = seededUniform(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    out[i] = mean + sd * r * Math.cos(2 * Math.PI * u());
  }
  return out;
}

export function logNormalSample(n: number, mu: number, sigma: number, seed: number): Float64Array {
  return normalSample(n, mu, sigma, seed).map(Math.exp);
}

/** Integers uniform on [0, k). */
export function discreteSample(n: number, k: number, seed: number): Float64Array {
  const u = seededUniform(seed);
  return Float64Array.from({ length: n }, () => Math.floor(u() * k));
}
