import { AnomalyDetectorError } from './anomaly.errors';
import { ArtimeFeaturizer, createArtimeDetector, haarTransform, roundHalfEven, type ArtimeConfig } from './artime.detector';
import { createDetector } from './create-detector.factory';
import { DualVigilanceArt } from './dual-vigilance-art';

describe('DualVigilanceArt', () => {
  it('commits, resonates and grows a cluster exactly as hand-computed', () => {
    const art = new DualVigilanceArt(1, { lower: 0.5, upper: 0.9 });
    // First input: only the initial all-ones category is created.
    expect(art.present([0.5])).toEqual({ cluster: 1, match: 0, energy: 0 });
    // Against [1, 1]: covered 0.5 + 0.5 of a weight of 2 → 0.5; energy the same; match 0.5³ · 0.5² = 0.03125.
    expect(art.present([0.5])).toEqual({ cluster: -1, match: 0.03125, energy: 0.5 });
    expect(art.categoryCount).toBe(2);
    // The new category [0.5, 0.5] matches the same input perfectly: resonance, cluster 2.
    expect(art.present([0.5])).toEqual({ cluster: 2, match: 1, energy: 1 });
    // [0.4, 0.6] covers 0.4 + 0.5 = 0.9 of it: match 0.9³ · 0.9² = 0.59049, between the vigilances,
    // so the input becomes a second category of cluster 2.
    const grown = art.present([0.4]);
    expect(grown.cluster).toBe(2);
    expect(grown.match).toBeCloseTo(0.59049, 12);
    expect(art.categoryCount).toBe(3);
  });

  it('keeps at most maxCategories, forgetting the least recently used one', () => {
    const art = new DualVigilanceArt(1, { lower: 0.99, upper: 0.99 }, 3);
    art.present([0.5]);
    for (let k = 0; k < 20; k++) {
      art.present([0.1]); // a recurring value: its category is used every other step
      art.present([0.2 + k * 0.03]); // a new value every time: a new category
    }
    expect(art.categoryCount).toBe(3);
    expect(art.present([0.1])).toMatchObject({ match: 1 });
    expect(() => new DualVigilanceArt(1, { lower: 0.5, upper: 0.9 }, 1)).toThrow('maxCategories must be at least 2');
  });

  it('rescale remaps a learned box exactly and leaves the empty initial category alone', () => {
    const art = new DualVigilanceArt(1, { lower: 0.3, upper: 0.3 });
    art.present([0.2]); // the all-ones category
    art.present([0.2]); // commits the point box [0.2, 0.2]
    // 0.4 against [0.2, 0.2]: covered 0.2 + 0.6 of 1 → 0.8⁵ = 0.32768 ≥ 0.3: learns, box [0.2, 0.4].
    expect(art.present([0.4]).match).toBeCloseTo(0.32768, 12);
    expect(art.present([0.3], false).match).toBe(1);
    art.rescale(0, 1, 0.5, 0.25); // x ↦ 0.5x + 0.25: the box becomes [0.35, 0.45]
    expect(art.present([0.35], false).match).toBe(1);
    expect(art.present([0.45], false).match).toBe(1);
    // 0.5 against [0.35, 0.45] (weights 0.35, 0.55): covered 0.35 + 0.5 of 0.9.
    expect(art.present([0.5], false).match).toBeCloseTo((0.85 / 0.9) ** 5, 12);
    // The old box edge 0.2 now lies outside: covered 0.2 + 0.55 of 0.9.
    expect(art.present([0.2], false).match).toBeCloseTo((0.75 / 0.9) ** 5, 12);
    expect(art.categoryCount).toBe(2);
    expect(() => art.rescale(0, 2, 1, 0)).toThrow('rescale: need 0 ≤ from ≤ to ≤ 1');
    expect(() => art.rescale(0, 1, -1, 0)).toThrow('a finite a ≥ 0');
  });

  it('reports the best match without learning when learning is off', () => {
    const art = new DualVigilanceArt(2, { lower: 0.5, upper: 0.9 });
    art.present([0, 0]);
    expect(art.present([0.2, 0.8], false).cluster).toBe(-1);
    expect(art.categoryCount).toBe(1);
    expect(() => art.present([0.1])).toThrow('expected 2 features, got 1');
  });
});

describe('ArtimeFeaturizer (the online range)', () => {
  it('widening remaps the recent values, re-bins the median tracker and quantises later values to the new range', () => {
    const f = new ArtimeFeaturizer(2, 10, 0, 0, 10);
    f.next(5);
    const before = f.next(10);
    expect(Array.from(before.subarray(2))).toEqual([0.5, 1]);
    // [0, 10] → [0, 20]: x ↦ 0.5x.
    expect(f.widen(0, 20)).toEqual({ a: 0.5, b: 0 });
    expect(f.range).toEqual({ min: 0, max: 20 });
    const after = f.next(20);
    expect(Array.from(after.subarray(2))).toEqual([0.5, 1]); // 10 was 1, is now 0.5; 20 is 1
    // 5 is now 0.25 → level roundHalfEven(2.5) = 2 → 0.2.
    expect(f.next(5)[3]).toBeCloseTo(0.2, 12);
  });

  it('widening downwards shifts as well as shrinks', () => {
    const f = new ArtimeFeaturizer(2, 8, 0, 0, 8);
    f.next(4);
    f.next(8);
    // [0, 8] → [−8, 8]: x ↦ 0.5x + 0.5.
    expect(f.widen(-8, 8)).toEqual({ a: 0.5, b: 0.5 });
    expect(Array.from(f.next(-8).subarray(2))).toEqual([1, 0]);
  });
});

describe('ARTime helpers', () => {
  it('Haar transform: coarsest first, detail = (second − first) / √2', () => {
    const out = haarTransform(Float64Array.from([1, 3, 2, 2, 0, 4, 6, 6]));
    const r2 = Math.SQRT2;
    // level 1 pairs (1,3) (2,2) (0,4) (6,6): sums 4/√2, 4/√2, 4/√2, 12/√2; details 2/√2, 0, 4/√2, 0
    // level 2 of the sums: (4+4)/2 = 4, (4+12)/2 = 8; details 0, 4
    // level 3: (4+8)/√2 and (8−4)/√2
    const expected = [12 / r2, 4 / r2, 0, 4, 2 / r2, 0, 4 / r2, 0];
    expected.forEach((e, k) => expect(out[k]).toBeCloseTo(e, 12));
  });

  it('rounds ties to even, as Julia does', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, 3]);
  });
});

/** A daily-like pattern: 48-row period with a little deterministic noise. */
function periodic(rows: number): number[] {
  let seed = 11;
  const noise = (): number => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  return Array.from({ length: rows }, (_, i) => 50 + 30 * Math.sin((2 * Math.PI * i) / 48) + 2 * noise());
}

function run(values: readonly number[], config: ArtimeConfig): number[] {
  const d = createArtimeDetector(config);
  return values.map((v, i) => d.score(i, v));
}

describe('ARTime detector', () => {
  const config: ArtimeConfig = { minValue: 0, maxValue: 100, probationaryPeriod: 300 };

  it('stays silent on the probationary period and on the learned pattern, and fires on a level shift', () => {
    const values = periodic(1200);
    for (let i = 900; i < 960; i++) values[i] = 95; // the pattern breaks: stuck high for 60 rows
    const scores = run(values, config);
    expect(scores.slice(0, 300).every((s) => s === 0)).toBe(true);
    const firstAlert = scores.findIndex((s) => s > 0);
    expect(firstAlert).toBeGreaterThanOrEqual(900);
    expect(firstAlert).toBeLessThan(930);
    for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
  });

  it('is causal for a fixed value range: a score does not depend on later rows', () => {
    const values = periodic(900);
    const changed = [...values.slice(0, 600), ...values.slice(600).map((v) => 100 - v)];
    const a = run(values, config);
    const b = run(changed, config);
    expect(b.slice(0, 600)).toEqual(a.slice(0, 600));
  });

  it('without a value range, normalises against the probationary period and still fires', () => {
    const values = periodic(1200);
    for (let i = 900; i < 960; i++) values[i] = 140; // far outside the probationary range
    const scores = run(values, { probationaryPeriod: 300 });
    expect(Math.max(...scores.slice(0, 300))).toBe(0);
    expect(Math.max(...scores.slice(300, 900))).toBeLessThan(0.5);
    expect(Math.max(...scores.slice(900, 930))).toBeGreaterThan(0.9);
  });

  it('without a value range, a flat probationary period still leaves room for departures from it', () => {
    const values = [...new Array<number>(400).fill(0), ...new Array<number>(40).fill(5), ...new Array<number>(100).fill(0)];
    const scores = run(values, { probationaryPeriod: 300 });
    expect(Math.max(...scores.slice(0, 400))).toBe(0);
    expect(Math.max(...scores.slice(400, 420))).toBeGreaterThan(0.5);
  });

  it('takes range and probationary period from NAB-style stream info', () => {
    const values = periodic(700);
    const viaInfo = createDetector({ kind: 'artime' }, { inputMin: 0, inputMax: 100, probationaryPeriod: 300 });
    expect(values.map((v, i) => viaInfo.score(i, v))).toEqual(run(values, config));
  });

  it('is causal without a value range too (range learned online, warm-up on): a prefix scores the same alone', () => {
    const values = periodic(1600);
    for (let i = 500; i < 520; i++) values[i] = 160; // beyond the probationary range: it widens
    for (let i = 1000; i < 1600; i++) values[i] += 120; // a new level far above the range
    values[1300] = -200; // and a dip below it
    const cfg: ArtimeConfig = { probationaryPeriod: 300, warmupPeriod: 60 };
    const full = run(values, cfg);
    for (const cut of [250, 510, 1001, 1301]) expect(run(values.slice(0, cut), cfg)).toEqual(full.slice(0, cut));
    const changed = [...values.slice(0, 900), ...values.slice(900).map((v) => -3 * v)];
    expect(run(changed, cfg).slice(0, 900)).toEqual(full.slice(0, 900));
    for (const s of full) expect(s >= 0 && s <= 1).toBe(true);
  });

  it('widening keeps a stream that leaves its probationary range readable; clamped, an anomaly there goes unseen', () => {
    const values = periodic(2000);
    for (let i = 1000; i < 2000; i++) values[i] += 200; // the pattern moves far above the probationary range
    for (let i = 1600; i < 1660; i++) values[i] = 235; // then flattens out mid-level: a real anomaly
    const widen = run(values, { probationaryPeriod: 300, rangePadding: 0, outOfRange: 'widen', warmupPeriod: 0 });
    const clamp = run(values, { probationaryPeriod: 300, rangePadding: 0, outOfRange: 'clamp', warmupPeriod: 0 });
    // Clamped, every shifted value is the top of the range: the flat stretch looks like the rest.
    expect(Math.max(...clamp.slice(1100, 1660))).toBe(0);
    expect(Math.max(...widen.slice(1600, 1640))).toBeGreaterThan(0.3);
    // Widened, the move itself is flagged, then the shifted pattern is learned and stays quiet.
    expect(Math.max(...widen.slice(1000, 1100))).toBeGreaterThan(0.3);
    expect(Math.max(...widen.slice(1100, 1600))).toBe(0);
  });

  it('warm-up: a short second ARTime scores the probationary period at warmupWeight, then hands over', () => {
    const values = periodic(1400);
    for (let i = 500; i < 530; i++) values[i] = 95;
    const off = run(values, { probationaryPeriod: 750, warmupPeriod: 0 });
    expect(Math.max(...off.slice(0, 749))).toBe(0);
    const on = run(values, { probationaryPeriod: 750, warmupPeriod: 150, warmupWeight: 0.5 });
    expect(Math.max(...on.slice(500, 540))).toBeGreaterThan(0);
    expect(Math.max(...on.slice(0, 749))).toBeLessThanOrEqual(0.5);
    // After the probationary period the main detector alone scores: the same as without a warm-up.
    expect(on.slice(760)).toEqual(off.slice(760));
    // The default is a fifth of the probationary period (150 of 750).
    expect(run(values, { probationaryPeriod: 750 })).toEqual(on);
  });

  it('rejects bad options, naming the option', () => {
    expect(() => createArtimeDetector({ outOfRange: 'grow' as 'widen' })).toThrow("artime: outOfRange must be 'clamp' or 'widen', got \"grow\"");
    expect(() => createArtimeDetector({ widenMargin: 0.8 })).toThrow('artime: widenMargin must be in [0, 0.5], got 0.8');
    expect(() => createArtimeDetector({ warmupPeriod: 10 })).toThrow('artime: warmupPeriod must be 0 or an integer in [32, probationaryPeriod), got 10');
    expect(() => createArtimeDetector({ probationaryPeriod: 300, warmupPeriod: 300 })).toThrow('artime: warmupPeriod must be 0 or an integer in [32, probationaryPeriod), got 300');
    expect(() => createArtimeDetector({ warmupWeight: 2 })).toThrow('artime: warmupWeight must be in [0, 1], got 2');
    expect(() => createArtimeDetector({ minValue: 5, maxValue: 1 })).toThrow('artime: minValue (5) must not exceed maxValue (1)');
    expect(() => createArtimeDetector({}, { inputMin: Number.NaN, inputMax: 1 })).toThrow('artime: minValue must be a finite number');
    expect(() => createArtimeDetector({ levels: 0 })).toThrow(AnomalyDetectorError);
    expect(() => createArtimeDetector({ rangePading: 1 } as ArtimeConfig)).toThrow('artime: unknown option "rangePading"');
    expect(() => createDetector({ kind: 'artime', rangePadding: 0.5 })).not.toThrow();
    expect(() => createArtimeDetector({ window: 6 })).toThrow('window must be a power of two');
    expect(() => createArtimeDetector({ probationaryPeriod: 10 })).toThrow('probationary period of 10 rows is too short');
    expect(() => createArtimeDetector({ probationaryPeriod: 300.5 })).toThrow('artime: probationaryPeriod must be an integer, got 300.5');
    expect(() => createArtimeDetector({ levels: 0 })).toThrow('artime: levels must be an integer ≥ 1, got 0');
    expect(() => createArtimeDetector({ rangePadding: -1 })).toThrow('artime: rangePadding must be ≥ 0, got -1');
    expect(() => createArtimeDetector({ maxCategories: 'many' as unknown as number })).toThrow('artime: maxCategories must be ≥ 2, got "many"');
  });
});
