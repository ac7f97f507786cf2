import { murmur3 } from './murmur3.hash';

/** Sparse row: ascending bucket indices with their values. */
export interface SparseVector {
  readonly index: Int32Array;
  readonly value: Float64Array;
}

/**
 * Signed feature hashing (Weinberger et al. 2009, "Feature hashing for large scale multitask learning"): token t
 * adds ξ(t) ∈ {−1, +1} to bucket h(t) mod 2^bits, both from one MurmurHash3 (low bits pick the bucket, the top
 * bit the sign), so colliding tokens cancel in expectation instead of piling up. Rows are L2-normalised when
 * `normalise` (a long argument list does not outweigh a short one).
 */
export function hashTokens(tokens: readonly string[], bits: number, seed: number, normalise = true): SparseVector {
  const mask = (1 << bits) - 1;
  const acc = new Map<number, number>();
  for (const t of tokens) {
    const h = murmur3(t, seed);
    const b = h & mask;
    acc.set(b, (acc.get(b) ?? 0) + (h >>> 31 === 1 ? -1 : 1));
  }
  const index = Int32Array.from([...acc.keys()].filter((k) => acc.get(k) !== 0).sort((a, b) => a - b));
  const value = Float64Array.from(index, (k) => acc.get(k) as number);
  if (normalise) {
    let norm = 0;
    for (const v of value) norm += v * v;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < value.length; i++) value[i] /= norm;
  }
  return { index, value };
}

/** Unsigned bucket of a token (for count tables such as target encoding). */
export function tokenBucket(token: string, bits: number, seed: number): number {
  return murmur3(token, seed) & ((1 << bits) - 1);
}

/**
 * The `k` buckets present in most rows (document frequency; ties by bucket index), for a dense top-k view of
 * the hashed space. Frequency only, never the target, so it can be fitted on any rows.
 */
export function topFrequentBuckets(rows: readonly SparseVector[], k: number): Int32Array {
  const df = new Map<number, number>();
  for (const r of rows) for (const b of r.index) df.set(b, (df.get(b) ?? 0) + 1);
  return Int32Array.from(
    [...df.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k)
      .map(([b]) => b),
  );
}

/** Dense values of `buckets` in `row` (0 where absent). */
export function gatherBuckets(row: SparseVector, buckets: Int32Array, out: Float64Array = new Float64Array(buckets.length)): Float64Array {
  for (let j = 0; j < buckets.length; j++) {
    const b = buckets[j];
    let lo = 0;
    let hi = row.index.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (row.index[mid] < b) lo = mid + 1;
      else hi = mid;
    }
    out[j] = lo < row.index.length && row.index[lo] === b ? row.value[lo] : 0;
  }
  return out;
}
