import type { NabCostMatrix, NabWindow } from './nab-corpus.parser';
import {
  buildNabScoringRows,
  countAtThreshold,
  NAB_DEFAULT_PROFILES,
  nabProbationRows,
  nabScaledSigmoid,
  rawScoreAtThreshold,
  scoreNabCorpus,
  sweepNabThreshold,
  type NabSeriesInput,
  windowsToIndices,
} from './nab-scorer';
import { NabInputError } from './nab.errors';

// Hand-computed reference values (σ(p) = 2/(1 + e^{5p}) − 1):
//   σ(−1)  = 2/(1 + e^−5)   − 1 = 0.9866143   (the best TP; everything inside a window is ÷ σ(−1))
//   σ(−0.8)= 2/(1 + e^−4)   − 1 = 0.9640276   → ÷ σ(−1) = 0.9771068
//   σ(−0.6)= 2/(1 + e^−3)   − 1 = 0.9051483   → ÷ σ(−1) = 0.9174287
//   σ(−0.4)= 2/(1 + e^−2)   − 1 = 0.7615942   → ÷ σ(−1) = 0.7719269
//   σ(−0.2)= 2/(1 + e^−1)   − 1 = 0.4621172   → ÷ σ(−1) = 0.4683868
//   σ(0.5) = 2/(1 + e^2.5)  − 1 = −0.8482836
//   σ(1.25)= 2/(1 + e^6.25) − 1 = −0.9961465
const STANDARD: NabCostMatrix = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const LOW_FP: NabCostMatrix = { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 };
const LOW_FN: NabCostMatrix = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };

const T0 = Date.UTC(2014, 0, 1);
const MINUTE = 60_000;
const at = (row: number): number => T0 + row * MINUTE;

/**
 * A series of `rows` one-minute rows with windows given as [firstRow, lastRow] and a score of `hits[row]`
 * at the listed rows (0 elsewhere).
 */
function series(name: string, rows: number, windows: [number, number][], hits: Record<number, number>): NabSeriesInput {
  const timestamps = Array.from({ length: rows }, (_, i) => at(i));
  const scores = new Float64Array(rows);
  for (const [row, s] of Object.entries(hits)) scores[Number(row)] = s;
  return { name, timestamps, windows: windows.map(([a, b]) => [at(a), at(b)] as NabWindow), scores };
}

// The basic case: 20 rows → probation floor(0.15 × 20) = 3 rows (0, 1, 2); one window on rows 10..14
// (width 5, so p = −(14 − i + 1)/5: row 10 → −1, row 12 → −0.6, row 14 → −0.2).
const basic = (hits: Record<number, number>): NabSeriesInput => series('a.csv', 20, [[10, 14]], hits);
const rawAt = (hits: Record<number, number>, cost: NabCostMatrix, threshold = 0.5): number =>
  rawScoreAtThreshold(buildNabScoringRows([basic(hits)]), cost, threshold);

describe('nabScaledSigmoid', () => {
  it('matches the NAB definition at the reference points', () => {
    expect(nabScaledSigmoid(-1)).toBeCloseTo(0.9866143, 6);
    expect(nabScaledSigmoid(0)).toBe(0);
    expect(nabScaledSigmoid(0.5)).toBeCloseTo(-0.8482836, 6);
    expect(nabScaledSigmoid(3)).toBeCloseTo(2 / (1 + Math.exp(15)) - 1, 9);
    // Beyond three window widths NAB uses exactly −1.
    expect(nabScaledSigmoid(3.0001)).toBe(-1);
  });

  it('has NAB probation lengths: min(floor(0.15 × rows), 750)', () => {
    expect(nabProbationRows(20)).toBe(3);
    expect(nabProbationRows(4032)).toBe(604);
    expect(nabProbationRows(22695)).toBe(750);
  });
});

describe('NAB scoring of one window (standard profile unless said)', () => {
  it('weights a detection by its place in the window: start 1, middle 0.917, end 0.468', () => {
    // start: p = −5/5 = −1 → σ(−1)/σ(−1) = 1
    expect(rawAt({ 10: 1 }, STANDARD)).toBeCloseTo(1, 9);
    // middle: p = −3/5 = −0.6 → 0.9051483/0.9866143 = 0.9174287
    expect(rawAt({ 12: 1 }, STANDARD)).toBeCloseTo(0.9174287, 6);
    // end: p = −1/5 = −0.2 → 0.4621172/0.9866143 = 0.4683868
    expect(rawAt({ 14: 1 }, STANDARD)).toBeCloseTo(0.4683868, 6);
  });

  it('counts only the first (best-placed) detection in a window, never a sum', () => {
    // rows 12 and 14 both fire: only row 12 counts → 0.9174287 (not 0.917 + 0.468)
    expect(rawAt({ 12: 1, 14: 1 }, STANDARD)).toBeCloseTo(0.9174287, 6);
    // every window row fires: only row 10 counts → 1
    expect(rawAt({ 10: 1, 11: 1, 12: 1, 13: 1, 14: 1 }, STANDARD)).toBeCloseTo(1, 9);
    // The earlier detection counts even when a later one has the higher score:
    // row 11 (p = −0.8 → 0.9771068) at 0.6, row 13 (p = −0.4 → 0.7719269) at 0.9.
    const rows = buildNabScoringRows([basic({ 11: 0.6, 13: 0.9 })]);
    expect(rawScoreAtThreshold(rows, STANDARD, 0.6)).toBeCloseTo(0.9771068, 6);
    expect(rawScoreAtThreshold(rows, STANDARD, 0.9)).toBeCloseTo(0.7719269, 6);
    expect(countAtThreshold(rows, 0.6)).toEqual({ truePositives: 1, falseNegatives: 0, falsePositives: 0 });
  });

  it('charges a false positive before any window −A_FP (σ taken as −1)', () => {
    // TP at row 10 (+1) and a FP at row 5 (no window before it → −1 × A_FP)
    expect(rawAt({ 5: 1, 10: 1 }, STANDARD)).toBeCloseTo(1 - 0.11, 9); // 0.89
    expect(rawAt({ 5: 1, 10: 1 }, LOW_FP)).toBeCloseTo(1 - 0.22, 9); // 0.78
    expect(rawAt({ 5: 1, 10: 1 }, LOW_FN)).toBeCloseTo(1 - 0.11, 9); // A_FN plays no part once detected
  });

  it('charges a false positive after a window A_FP × σ(q), q = |i − right|/(width − 1)', () => {
    // row 16: q = (16 − 14)/(5 − 1) = 0.5 → σ = −0.8482836; standard −0.0933112, low-FP −0.1866224
    expect(rawAt({ 10: 1, 16: 1 }, STANDARD)).toBeCloseTo(1 - 0.0933112, 6);
    expect(rawAt({ 10: 1, 16: 1 }, LOW_FP)).toBeCloseTo(1 - 0.1866224, 6);
    // row 19: q = 5/4 = 1.25 → σ = −0.9961465; standard −0.1095761
    expect(rawAt({ 10: 1, 19: 1 }, STANDARD)).toBeCloseTo(1 - 0.1095761, 6);
    // Far past the window (q > 3) the cost is the full −A_FP: 40 rows (probation 6), window rows
    // 10..12 (width 3), FP at row 25: q = 13/2 = 6.5 → −1 × 0.11.
    const far = buildNabScoringRows([series('far.csv', 40, [[10, 12]], { 10: 1, 25: 1 })]);
    expect(rawScoreAtThreshold(far, STANDARD, 0.5)).toBeCloseTo(1 - 0.11, 9);
  });

  it('charges a missed window −A_FN', () => {
    expect(rawAt({}, STANDARD)).toBe(-1);
    expect(rawAt({}, LOW_FP)).toBe(-1);
    expect(rawAt({}, LOW_FN)).toBe(-2);
    // A miss and a FP: −1 − 0.11
    expect(rawAt({ 5: 1 }, STANDARD)).toBeCloseTo(-1.11, 9);
  });

  it('ignores the probationary period: rows and windows inside it do not count', () => {
    // 100 rows → probation 15. Window rows 5..8 lies inside probation: not counted, and its firing rows
    // are neither TP nor FP. Window rows 50..54 counts.
    const s = series('p.csv', 100, [[5, 8], [50, 54]], { 5: 1, 12: 1, 50: 1 });
    const rows = buildNabScoringRows([s]);
    expect(rows.windowCount).toBe(1);
    expect(rows.score.length).toBe(85);
    // Rows 5 and 12 fire inside probation → ignored; row 50 is a perfect TP.
    expect(rawScoreAtThreshold(rows, STANDARD, 0.5)).toBeCloseTo(1, 9);
    expect(countAtThreshold(rows, 0.5)).toEqual({ truePositives: 1, falseNegatives: 0, falsePositives: 0 });
  });
});

describe('NAB normalisation', () => {
  // Two windows over two series: null = −A_FN × 2, perfect = A_TP × 2.
  const twoWindows = (hitsA: Record<number, number>, hitsB: Record<number, number>): NabSeriesInput[] => [
    series('a.csv', 20, [[10, 14]], hitsA),
    series('b.csv', 20, [[10, 14]], hitsB),
  ];

  it('gives the null detector (never fires) 0 and the perfect one 100 in every profile', () => {
    // Constant scores on 200-row series (probation 30, window rows 100..104): firing on every row would
    // cost 70 FPs before the window alone (−7.7), so the sweep keeps θ = ∞ (never fire) → raw = null.
    const long = (hits: Record<number, number>): NabSeriesInput[] => [
      series('a.csv', 200, [[100, 104]], hits),
      series('b.csv', 200, [[100, 104]], hits),
    ];
    const nothing = scoreNabCorpus(long({}), NAB_DEFAULT_PROFILES).profiles;
    const perfect = scoreNabCorpus(long({ 100: 1 }), NAB_DEFAULT_PROFILES).profiles;
    for (const name of NAB_DEFAULT_PROFILES.keys()) {
      expect(nothing.get(name)?.normalised).toBe(0);
      expect(nothing.get(name)?.threshold).toBe(Number.POSITIVE_INFINITY);
      expect(perfect.get(name)?.normalised).toBeCloseTo(100, 9);
      expect(perfect.get(name)?.threshold).toBe(1);
    }
    expect(nothing.get('standard')).toMatchObject({ raw: -2, nullRaw: -2, perfectRaw: 2 });
    expect(nothing.get('reward_low_FN_rate')).toMatchObject({ raw: -4, nullRaw: -4, perfectRaw: 2 });
  });

  it('normalises 100 × (raw − null)/(perfect − null)', () => {
    // a: middle detection 0.9174287, b: missed −1 → raw −0.0825713; 100 × 1.9174287/4 = 47.935717
    const std = scoreNabCorpus(twoWindows({ 12: 1 }, {}), NAB_DEFAULT_PROFILES).profiles.get('standard');
    expect(std?.raw).toBeCloseTo(-0.0825713, 6);
    expect(std?.normalised).toBeCloseTo(47.935717, 4);
  });

  it('treats a constant score as a detector too: θ = 0 fires on every row when that pays', () => {
    // Two 20-row series, all scores 0. At θ = 0 every counted row fires; per series:
    //   window: first row 10 → +1; FPs rows 3..9: 7 × −0.11 = −0.77;
    //   FPs rows 15..19 (q = 1/4 … 5/4): 0.11 × (−0.5545997 − 0.8482836 − 0.9540453 − 0.9866143 − 0.9961465)
    //   = 0.11 × −4.3396894 = −0.4773658; total −0.2473658. Corpus −0.4947317 > null −2, so θ = 0 wins:
    //   100 × (−0.4947317 + 2)/4 = 37.63171.
    const rows = buildNabScoringRows(twoWindows({}, {}));
    const std = sweepNabThreshold(rows, STANDARD);
    expect(std.threshold).toBe(0);
    expect(std.raw).toBeCloseTo(-0.4947317, 6);
    expect(std.normalised).toBeCloseTo(37.63171, 4);
  });
});

describe('NAB threshold sweep over the corpus', () => {
  // Series a (20 rows, window 10..14): TP at row 10 scored 0.9, FP at row 5 (before the window) 0.8.
  // Series b (20 rows, window 10..14): FPs on rows 3..9 (7 rows, before the window) scored 0.75, and the
  // window's last row 14 (0.4683868) scored 0.7.
  const corpus = [
    series('a.csv', 20, [[10, 14]], { 5: 0.8, 10: 0.9 }),
    series('b.csv', 20, [[10, 14]], { 3: 0.75, 4: 0.75, 5: 0.75, 6: 0.75, 7: 0.75, 8: 0.75, 9: 0.75, 14: 0.7 }),
  ];
  // Raw score at each distinct θ (descending):
  //                     standard (FP 0.11)       low FP (FP 0.22)          low FN (FN 2)
  //   θ = ∞ (never)     −2                        −2                        −4
  //   θ = 0.9           1 − 1 = 0                 0                         1 − 2 = −1
  //   θ = 0.8           −0.11                     −0.22                     −1.11
  //   θ = 0.75          −0.11 − 0.77 = −0.88      −0.22 − 1.54 = −1.76      −1.88
  //   θ = 0.7           1.4683868 − 0.88          1.4683868 − 1.76          1.4683868 − 0.88
  //                     = 0.5883868 (best)        = −0.2916132              = 0.5883868 (best)
  //   θ = 0             every row fires: ≥ 12 more FPs per series, b's window gains only 0.53 → worse
  // so standard and low-FN pick θ = 0.7 and low-FP picks θ = 0.9:
  //   standard 100 × (0.5883868 + 2)/4 = 64.70967; low FP 100 × (0 + 2)/4 = 50;
  //   low FN 100 × (0.5883868 + 4)/6 = 76.47311.
  it('picks one threshold per profile for the whole corpus', () => {
    const { rows, profiles } = scoreNabCorpus(corpus, NAB_DEFAULT_PROFILES);
    const std = profiles.get('standard');
    const lowFp = profiles.get('reward_low_FP_rate');
    const lowFn = profiles.get('reward_low_FN_rate');
    expect(std?.threshold).toBe(0.7);
    expect(std?.raw).toBeCloseTo(0.5883868, 6);
    expect(std?.normalised).toBeCloseTo(64.70967, 4);
    expect(std).toMatchObject({ truePositives: 2, falseNegatives: 0, falsePositives: 8 });
    expect(lowFp?.threshold).toBe(0.9);
    expect(lowFp?.raw).toBeCloseTo(0, 9);
    expect(lowFp?.normalised).toBeCloseTo(50, 9);
    expect(lowFp).toMatchObject({ truePositives: 1, falseNegatives: 1, falsePositives: 0 });
    expect(lowFn?.threshold).toBe(0.7);
    expect(lowFn?.normalised).toBeCloseTo(76.47311, 4);
    // The incremental sweep agrees with a brute-force evaluation of every distinct score.
    for (const cost of [STANDARD, LOW_FP, LOW_FN]) {
      const candidates = [...new Set(Array.from(rows.score))];
      const brute = Math.max(-cost.fnWeight * 2, ...candidates.map((t) => rawScoreAtThreshold(rows, cost, t)));
      expect(sweepNabThreshold(rows, cost).raw).toBeCloseTo(brute, 9);
    }
  });

  it('breaks the raw score down per series at a fixed threshold', () => {
    const rows = buildNabScoringRows(corpus);
    // θ = 0.7, standard: a = 1 − 0.11 = 0.89; b = 0.4683868 − 0.77 = −0.3016132
    expect(rawScoreAtThreshold(rows, STANDARD, 0.7, 0)).toBeCloseTo(0.89, 9);
    expect(rawScoreAtThreshold(rows, STANDARD, 0.7, 1)).toBeCloseTo(-0.3016132, 6);
  });
});

describe('NAB input checks in the scorer', () => {
  it('maps timestamp windows to rows, tolerating labels that fall between rows', () => {
    const ts = [0, 10, 20, 30, 40];
    expect(windowsToIndices('s.csv', ts, [[10, 30]])).toEqual([{ left: 1, right: 3 }]);
    expect(windowsToIndices('s.csv', ts, [[5, 35]])).toEqual([{ left: 1, right: 3 }]);
  });

  it('rejects a window containing no row and a score list of the wrong length', () => {
    expect(() => windowsToIndices('s.csv', [0, 10, 20], [[11, 19]])).toThrow(
      /^s\.csv: window \[1970-01-01T00:00:00\.011Z, 1970-01-01T00:00:00\.019Z\] contains no rows of the series$/,
    );
    const bad: NabSeriesInput = { ...basic({}), scores: new Float64Array(3) };
    expect(() => buildNabScoringRows([bad])).toThrow(NabInputError);
    expect(() => buildNabScoringRows([bad])).toThrow('a.csv: detector gave 3 scores for 20 rows');
  });
});
