import type { NabCostMatrix, NabWindow } from './nab-corpus.parser';
import { nabFoldSplit, nabOutOfFold, scoreAtThreshold, type NabCandidate } from './nab-folds';
import { buildNabScoringRows, NAB_DEFAULT_PROFILES, type NabSeriesInput } from './nab-scorer';
import { NabInputError } from './nab.errors';

const STANDARD: NabCostMatrix = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const ONLY_STANDARD = new Map([['standard', STANDARD]]);
const T0 = Date.UTC(2014, 0, 1);
const at = (row: number): number => T0 + row * 60_000;

/** 20 one-minute rows (probation: rows 0–2), one window on rows 10..14, `hits` = {row: score}. */
function series(name: string, hits: Record<number, number>): NabSeriesInput {
  const scores = new Float64Array(20);
  for (const [row, s] of Object.entries(hits)) scores[Number(row)] = s;
  return { name, timestamps: Array.from({ length: 20 }, (_, i) => at(i)), windows: [[at(10), at(14)] as NabWindow], scores };
}

const NAMES = ['b/1.csv', 'a/2.csv', 'a/1.csv', 'b/2.csv']; // fold A: a/1, b/1; fold B: a/2, b/2

describe('nabFoldSplit', () => {
  it('sorts by path and alternates: 1st, 3rd, … into A, 2nd, 4th, … into B', () => {
    expect(nabFoldSplit(NAMES)).toEqual({ a: ['a/1.csv', 'b/1.csv'], b: ['a/2.csv', 'b/2.csv'] });
    // Code-unit order, as the corpus listing sorts: upper case before lower case.
    expect(nabFoldSplit(['realTraffic/speed_7578.csv', 'realTraffic/TravelTime_387.csv', 'realTraffic/occupancy_6005.csv'])).toEqual({
      a: ['realTraffic/TravelTime_387.csv', 'realTraffic/speed_7578.csv'],
      b: ['realTraffic/occupancy_6005.csv'],
    });
  });

  it('rejects a series named twice', () => {
    expect(() => nabFoldSplit(['x.csv', 'x.csv'])).toThrow(NabInputError);
  });
});

describe('scoreAtThreshold', () => {
  it('scores fixed rows at a given θ, normalised against their own windows', () => {
    // θ = 0.5 fires row 5 (before the window: −0.11) and row 10 (window start: +1) → raw 0.89.
    const rows = buildNabScoringRows([series('a/1.csv', { 5: 0.9, 10: 0.9 })]);
    const s = scoreAtThreshold(rows, STANDARD, 0.5);
    expect(s.raw).toBeCloseTo(0.89, 12);
    expect(s.normalised).toBeCloseTo((100 * (0.89 + 1)) / 2, 10);
    expect([s.truePositives, s.falseNegatives, s.falsePositives]).toEqual([1, 0, 1]);
    expect(scoreAtThreshold(rows, STANDARD, Number.POSITIVE_INFINITY).normalised).toBe(0);
  });
});

describe('nabOutOfFold', () => {
  // Candidate "sharp": on fold A a 0.9 at each window's start; on fold B a 0.9 false positive at row 5
  // and a 0.95 at each window's start.
  const sharp: NabCandidate = {
    label: 'sharp',
    series: NAMES.map((n) => series(n, n.endsWith('1.csv') ? { 10: 0.9 } : { 5: 0.9, 10: 0.95 })),
  };
  const silent: NabCandidate = { label: 'silent', series: NAMES.map((n) => series(n, {})) };

  it('chooses θ on one fold and scores the other with it, both ways', () => {
    const report = nabOutOfFold([silent, sharp], ONLY_STANDARD);
    expect(report.foldA).toEqual(['a/1.csv', 'b/1.csv']);
    const { folds, mean } = report.profiles.get('standard')!;
    // Chosen on A: θ = 0.9 (both windows at their start, raw 2 = perfect). On B, θ = 0.9 also fires
    // the two false positives at row 5: raw 2 − 0.22 = 1.78 → 100 × 3.78 / 4 = 94.5.
    expect(folds[0]).toMatchObject({ chosenOn: 'A', scoredOn: 'B', label: 'sharp', candidate: 1 });
    expect(folds[0].inFold.threshold).toBe(0.9);
    expect(folds[0].inFold.normalised).toBeCloseTo(100, 10);
    expect(folds[0].outOfFold.normalised).toBeCloseTo(94.5, 10);
    // Chosen on B: θ = 0.95 (perfect there). On A nothing reaches 0.95: raw −2 → 0.
    expect(folds[1]).toMatchObject({ chosenOn: 'B', scoredOn: 'A', label: 'sharp' });
    expect(folds[1].inFold.threshold).toBe(0.95);
    expect(folds[1].outOfFold.normalised).toBeCloseTo(0, 10);
    expect(folds[1].outOfFold.falseNegatives).toBe(2);
    expect(mean).toBeCloseTo(47.25, 10);
  });

  it('chooses the candidate on the training fold only; ties go to the earliest', () => {
    // "late" detects fold A's windows only at their last row (0.468 each) and fold B's at their start.
    const late: NabCandidate = { label: 'late', series: NAMES.map((n) => series(n, n.endsWith('1.csv') ? { 14: 0.7 } : { 10: 0.7 })) };
    const report = nabOutOfFold([late, sharp, { ...sharp, label: 'sharp again' }], ONLY_STANDARD);
    const [onA, onB] = report.profiles.get('standard')!.folds;
    expect(onA.label).toBe('sharp'); // on A "sharp" is perfect, "late" is not; the copy ties and loses
    expect(onB.label).toBe('late'); // on B "late" is perfect (no false positive), "sharp" is perfect too at 0.95 …
    // … a tie on B (both raw 2): the earliest candidate, "late", wins, and scores A at its θ = 0.7.
    expect(onB.outOfFold.raw).toBeCloseTo(2 * (2 / (1 + Math.exp(-1)) - 1) / (2 / (1 + Math.exp(-5)) - 1), 10);
    const per = report.perCandidate.get('standard')!;
    expect(per.map((c) => c.label)).toEqual(['late', 'sharp', 'sharp again']);
    expect(per[1].outOfFold[0]).toBeCloseTo(94.5, 10);
  });

  it('scores every profile and rejects candidates that scored different series', () => {
    const report = nabOutOfFold([sharp], NAB_DEFAULT_PROFILES);
    expect([...report.profiles.keys()]).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
    // low FP (A_FP 0.22): A → B raw 2 − 0.44 = 1.56 → 89.
    expect(report.profiles.get('reward_low_FP_rate')!.folds[0].outOfFold.normalised).toBeCloseTo(89, 10);
    expect(() => nabOutOfFold([sharp, { label: 'short', series: sharp.series.slice(1) }], ONLY_STANDARD)).toThrow('every candidate must score the same series');
    expect(() => nabOutOfFold([], ONLY_STANDARD)).toThrow('no candidate');
  });
});
