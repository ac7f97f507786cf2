/**
 * The two pieces of CPython 2.7 behaviour that the original CAD OSE (Python 2) depends on for its
 * tie-breaking and numbering, reproduced so the TypeScript port picks the same contexts:
 *  - `tupleHash`: hash() of a tuple of non-negative ints (64-bit builds); CAD OSE breaks ties between
 *    equally active contexts by the hashes of their left and right fact tuples.
 *  - `PyIntDict`: a dict with non-negative int keys, iterated in CPython 2.7's slot order (not insertion
 *    order); CAD OSE numbers new contexts in that order.
 */

const MASK64 = (1n << 64n) - 1n;

function toInt64(x: bigint): bigint {
  return BigInt.asIntN(64, x & MASK64);
}

/** hash(tuple(items)) in CPython 2.7 on a 64-bit build, for ints below 2^63 (hash(int) = int). */
export function tupleHash(items: readonly number[]): bigint {
  let x = 0x345678n;
  let mult = 1000003n;
  let len = items.length;
  for (const item of items) {
    len--;
    x = toInt64((x ^ BigInt(item)) * mult);
    mult = toInt64(mult + 82520n + BigInt(len + len));
  }
  x = toInt64(x + 97531n);
  return x === -1n ? -2n : x;
}

const MIN_SIZE = 8;
const PERTURB_SHIFT = 5;

/** Insert-only dict from non-negative int (< 2^31) keys to numbers, iterated in CPython 2.7 slot order. */
export class PyIntDict {
  private keys: number[] = new Array<number>(MIN_SIZE).fill(-1);
  private values: number[] = new Array<number>(MIN_SIZE).fill(0);
  private used = 0;

  /** dict.setdefault(key, value): the stored value, inserting `value` if the key is new. */
  setdefault(key: number, value: number): number {
    const slot = this.lookup(key);
    if (this.keys[slot] === key) return this.values[slot];
    this.keys[slot] = key;
    this.values[slot] = value;
    this.used++;
    // PyDict_SetItem: grow once the table is two-thirds full (no deletions, so fill = used).
    if (this.used * 3 >= this.keys.length * 2) this.resize((this.used > 50000 ? 2 : 4) * this.used);
    return value;
  }

  /** Calls `fn(key, value)` in slot order, like `dict.iteritems()`. */
  forEach(fn: (key: number, value: number) => void): void {
    const { keys, values } = this;
    for (let i = 0; i < keys.length; i++) if (keys[i] >= 0) fn(keys[i], values[i]);
  }

  /** lookdict's open-addressing probe: the slot holding `key`, or the first free one on its path. */
  private lookup(key: number): number {
    const mask = this.keys.length - 1;
    let i = key & mask;
    let perturb = key;
    while (this.keys[i & mask] !== -1 && this.keys[i & mask] !== key) {
      i = (i * 5 + perturb + 1) % 4294967296; // size_t arithmetic; only the low bits are used
      perturb = Math.floor(perturb / 2 ** PERTURB_SHIFT);
    }
    return i & mask;
  }

  private resize(minUsed: number): void {
    let size = MIN_SIZE;
    while (size <= minUsed) size *= 2;
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Array<number>(size).fill(-1);
    this.values = new Array<number>(size).fill(0);
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] < 0) continue;
      const slot = this.lookup(oldKeys[i]);
      this.keys[slot] = oldKeys[i];
      this.values[slot] = oldValues[i];
    }
  }
}
