import { AlertSuppression } from './alert-suppression';
import { AnomalyLikelihood, logScale } from './anomaly-likelihood';
import { createDetector, DETECTOR_KINDS, type DetectorConfig } from './create-detector.factory';

const MINUTE = 60_000;

function run(config: DetectorConfig | undefined, values: readonly number[]): number[] {
  const d = createDetector(config);
  return values.map((v, i) => d.score(i * MINUTE, v));
}

/** A noisy daily-ish sine with a level shift at row 700. */
function signal(n: number): number[] {
  let seed = 7;
  const noise = (): number => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  return Array.from({ length: n }, (_, i) => 10 * Math.sin(i / 20) + noise() + (i >= 700 ? 40 : 0));
}

describe('composite anomaly detectors', () => {
  const values = signal(900);

  it.each(DETECTOR_KINDS.map((k) => [k]))('%s is causal and scores in [0, 1]', (kind) => {
    const full = run({ kind } as DetectorConfig, values);
    const prefix = run({ kind } as DetectorConfig, values.slice(0, 600));
    expect(full.slice(0, 600)).toEqual(prefix);
    for (const s of full) expect(s >= 0 && s <= 1).toBe(true);
  });

  it('defaults to the best NAB detector (ARTime), which fires on the level shift once past its probationary period', () => {
    expect(run(undefined, values)).toEqual(run({ kind: 'artime' }, values));
    const scores = run({ kind: 'artime', probationaryPeriod: 300 }, values);
    expect(Math.max(...scores.slice(700, 720))).toBeGreaterThan(Math.max(...scores.slice(300, 690)));
  });

  it('the ensemble defaults to max(CAD OSE, windowed Gaussian) and fires on the level shift', () => {
    const scores = run({ kind: 'ensemble' }, values);
    expect(scores).toEqual(run({ kind: 'ensemble', members: [{ kind: 'cad-ose' }, { kind: 'gaussian', output: 'z', windowSize: 20000 }] }, values));
    expect(Math.max(...scores.slice(700, 710))).toBeGreaterThan(Math.max(...scores.slice(300, 690)));
  });

  it('relative entropy flags a window whose histogram matches no earlier one', () => {
    const scores = run({ kind: 'relentropy' }, values);
    expect(scores.slice(700, 760).some((s) => s === 1)).toBe(true);
  });
});

describe('AlertSuppression', () => {
  it('damps the rows after an alert, then re-arms', () => {
    const s = new AlertSuppression({ level: 0.5, rows: 2, damp: 0 });
    // row 0 alerts; rows 1, 2 damped; row 3 alerts again.
    expect([0.9, 0.9, 0.9, 0.9, 0.1].map((x) => s.next(x))).toEqual([0.9, 0, 0, 0.9, 0]);
  });
});

describe('AnomalyLikelihood', () => {
  it('log-scales likelihoods like HTM: 0 → 0, 1 − 1e−5 → 0.5', () => {
    expect(logScale(0)).toBeCloseTo(0, 9);
    expect(logScale(1 - 1e-5)).toBeCloseTo(0.5, 4);
  });

  it('rates a jump in raw scores far above a quiet history', () => {
    const l = new AnomalyLikelihood({ historicWindow: 500, averagingWindow: 1, learningRows: 100, minStd: 0.01 });
    let quiet = 0;
    for (let i = 0; i < 400; i++) quiet = Math.max(quiet, l.next(0.1 + 0.01 * Math.sin(i)));
    expect(l.next(0.9)).toBeGreaterThan(0.9);
    expect(quiet).toBeLessThan(0.5);
  });
});
