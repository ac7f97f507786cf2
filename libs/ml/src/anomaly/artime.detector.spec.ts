import { createArtimeDetector, haarTransform, roundHalfEven, type ArtimeConfig } from './artime.detector';
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

  it('reports the best match without learning when learning is off', () => {
    const art = new DualVigilanceArt(2, { lower: 0.5, upper: 0.9 });
    art.present([0, 0]);
    expect(art.present([0.2, 0.8], false).cluster).toBe(-1);
    expect(art.categoryCount).toBe(1);
    expect(() => art.present([0.1])).toThrow('expected 2 features, got 1');
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

  it('rejects bad options, naming the option', () => {
    expect(() => createArtimeDetector({ window: 6 })).toThrow('window must be a power of two');
    expect(() => createArtimeDetector({ probationaryPeriod: 10 })).toThrow('probationary period of 10 rows is too short');
    expect(() => createArtimeDetector({ probationaryPeriod: 300.5 })).toThrow('artime: probationaryPeriod must be an integer, got 300.5');
    expect(() => createArtimeDetector({ levels: 0 })).toThrow('artime: levels must be an integer ≥ 1, got 0');
    expect(() => createArtimeDetector({ rangePadding: -1 })).toThrow('artime: rangePadding must be ≥ 0, got -1');
    expect(() => createArtimeDetector({ maxCategories: 'many' as unknown as number })).toThrow('artime: maxCategories must be ≥ 2, got "many"');
  });
});
