import { createCadOseDetector, type CadOseConfig } from './cad-ose.detector';
import { PyIntDict, tupleHash } from './cad-ose.py2-compat';
import { createDetector } from './create-detector.factory';

function run(values: readonly number[], config: CadOseConfig = {}): number[] {
  const d = createCadOseDetector(config);
  return values.map((v, i) => d.score(i, v));
}

/** Levels 0..7 on a 0..7 range: each value is its own 3-bit level. */
const RANGE: CadOseConfig = { minValue: 0, maxValue: 7, restPeriod: 5 };
const PATTERN = [0, 7, 3, 5];

describe('CAD OSE detector', () => {
  it('learns a repeating pattern, then scores a novel value high', () => {
    // Expected values from NAB's original Python 2 cad_ose.py on the same stream.
    const values = [...Array.from({ length: 30 }, () => PATTERN).flat(), 1, 0, 7, 3, 5];
    const scores = run(values, RANGE);
    expect(scores.slice(0, 120)).toEqual(new Array(120).fill(0));
    expect(scores[120]).toBeCloseTo(0.7333, 4);
    expect(scores[121]).toBeCloseTo(0.9583, 4);
    // rests for restPeriod rows after a raw score ≥ 0.75
    expect(scores.slice(122)).toEqual([0, 0, 0]);
  });

  it('rests for the first restPeriod rows (its score history starts at 1)', () => {
    expect(run([0, 1, 2, 3, 4, 5, 6, 7], { minValue: 0, maxValue: 7, restPeriod: 3 }).slice(0, 3)).toEqual([0, 0, 0]);
  });

  it('scores in [0, 1] and is causal given a fixed value range', () => {
    let seed = 3;
    const noise = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const values = Array.from({ length: 600 }, (_, i) => 50 + 40 * Math.sin(i / 7) + 10 * noise());
    const config: CadOseConfig = { minValue: 0, maxValue: 100, restPeriod: 10 };
    const full = run(values, config);
    const changedFuture = run([...values.slice(0, 400), ...values.slice(400).map((v) => 100 - v)], config);
    expect(changedFuture.slice(0, 400)).toEqual(full.slice(0, 400));
    expect(full.slice(400)).not.toEqual(changedFuture.slice(400));
    for (const s of full) expect(s >= 0 && s <= 1).toBe(true);
    expect(full.some((s) => s > 0)).toBe(true);
  });

  it('takes the value range and rest period from NAB-style stream info when not configured', () => {
    const values = [...Array.from({ length: 30 }, () => PATTERN).flat(), 1, 0, 7, 3, 5];
    const viaInfo = createDetector({ kind: 'cad-ose' }, { inputMin: 0, inputMax: 7, probationaryPeriod: 25 });
    expect(values.map((v, i) => viaInfo.score(i, v))).toEqual(run(values, RANGE));
  });
});

describe('CPython 2.7 compatibility helpers', () => {
  it('hashes int tuples like Python 2.7 (64-bit)', () => {
    expect(tupleHash([65536, 65539])).toBe(3784025191589009306n);
    expect(tupleHash([1, 2, 3])).toBe(2528502973977326415n);
    expect(tupleHash([2 ** 31 + 5, 65537])).toBe(4135042769108775065n);
  });

  it('iterates an int-keyed dict in CPython 2.7 slot order, across resizes', () => {
    const d = new PyIntDict();
    [5, 13, 21, 3, 100, 8, 64, 7, 1000, 33, 2, 9, 40].forEach((k, i) => d.setdefault(k, i));
    expect(d.setdefault(13, 99)).toBe(1);
    const seen: [number, number][] = [];
    d.forEach((k, v) => seen.push([k, v]));
    // Python 2.7: d.keys() == [64, 33, 2, 3, 100, 5, 7, 8, 9, 13, 1000, 21, 40]
    expect(seen.map(([k]) => k)).toEqual([64, 33, 2, 3, 100, 5, 7, 8, 9, 13, 1000, 21, 40]);
    expect(seen.map(([, v]) => v)).toEqual([6, 9, 10, 3, 4, 0, 7, 5, 11, 1, 8, 2, 12]);
  });
});
