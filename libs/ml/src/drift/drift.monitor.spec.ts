import { DriftError } from './drift.errors';
import { discreteSample, logNormalSample, normalSample } from './drift.fixtures';
import { DriftMonitor } from './drift.monitor';
import { decideDrift, DEFAULT_DRIFT_POLICY, makeDriftPolicy } from './drift.policy';
import { buildReferenceProfile, columnsFromRows } from './reference-profile.model';

const FEATURES = ['requestedCpu', 'requestedMemMb', 'hourOfDay'];

function reference(seed: number) {
  return {
    requestedCpu: normalSample(5_000, 2, 0.5, seed),
    requestedMemMb: logNormalSample(5_000, 7, 0.8, seed + 1),
    hourOfDay: discreteSample(5_000, 24, seed + 2),
  };
}

/** Live window from the same generators (new seeds), with requestedCpu optionally shifted by `cpuShift` σ. */
function live(seed: number, cpuShift: number, n = 2_000) {
  return {
    requestedCpu: normalSample(n, 2 + 0.5 * cpuShift, 0.5, seed),
    requestedMemMb: logNormalSample(n, 7, 0.8, seed + 1),
    hourOfDay: discreteSample(n, 24, seed + 2),
  };
}

describe('DriftMonitor', () => {
  const monitor = new DriftMonitor();
  const profile = monitor.profile(reference(100), FEATURES);

  it.each([200, 300, 400, 500, 600])('raises drift on a shifted feature and not on unshifted ones (seed %i)', (seed) => {
    const report = monitor.assess(profile, live(seed, 0.75)); // 0.75 σ: decile PSI ≈ 0.5, D ≈ 0.29
    const byName = Object.fromEntries(report.features.map((f) => [f.feature, f]));
    expect(byName['requestedCpu'].drifted).toBe(true);
    expect(byName['requestedCpu'].psi).toBeGreaterThan(0.2);
    expect(byName['requestedCpu'].pValue).toBeLessThan(0.01);
    expect(byName['requestedMemMb'].drifted).toBe(false);
    expect(byName['hourOfDay'].drifted).toBe(false);
    expect(byName['requestedMemMb'].psi).toBeLessThan(0.05);
    expect(report.driftedFeatures).toEqual(['requestedCpu']);
    expect(report.decision).toBe('alert'); // 1 of 3 features < retrain share 0.5
  });

  it.each([700, 800, 900])('stays quiet on an unshifted live window (seed %i)', (seed) => {
    const report = monitor.assess(profile, live(seed, 0));
    expect(report.driftedFeatures).toEqual([]);
    expect(report.decision).toBe('none');
    expect(report.reasons).toEqual([]);
  });

  it.each<[string, number, number, 'none' | 'alert' | 'retrain']>([
    ['no drift, error as validated', 0, 1.0, 'none'],
    ['no drift, error 1.3× validation', 0, 1.3, 'alert'],
    ['no drift, error 1.6× validation', 0, 1.6, 'retrain'],
    ['cpu drift, error as validated', 0.5, 1.0, 'alert'],
    ['cpu drift, error 1.6× validation', 0.5, 1.6, 'retrain'],
  ])('decides: %s → %s', (_label, shift, ratio, decision) => {
    const report = monitor.assess(profile, live(1_000, shift), { validationMae: 1_000, liveMae: 1_000 * ratio, liveCount: 500 });
    expect(report.error?.ratio).toBeCloseTo(ratio, 12);
    expect(report.decision).toBe(decision);
  });

  it('retrains on input drift alone when enough features drift', () => {
    const shifted = { ...live(1_100, 1), requestedMemMb: logNormalSample(2_000, 7.5, 0.8, 1_101) };
    const report = monitor.assess(profile, shifted);
    expect(report.driftedFeatures).toEqual(['requestedCpu', 'requestedMemMb']);
    expect(report.decision).toBe('retrain');
  });

  it('does not judge a live window smaller than minLiveSamples, nor an error ratio from too few outcomes', () => {
    const report = monitor.assess(profile, live(1_200, 3, 50), { validationMae: 100, liveMae: 500, liveCount: 10 });
    expect(report.features.every((f) => !f.judged && !f.drifted)).toBe(true);
    expect(report.error).toMatchObject({ ratio: 5, judged: false, level: 'none' });
    expect(report.decision).toBe('none');
  });

  it('is deterministic: the same inputs give the same report', () => {
    const window = live(1_300, 0.5);
    expect(monitor.assess(profile, window)).toEqual(monitor.assess(profile, window));
  });

  it('a thinned, JSON-round-tripped profile reaches the same verdicts', () => {
    const thin = JSON.parse(JSON.stringify(monitor.profile(reference(100), FEATURES, 1_000)));
    expect(thin.features[0].sorted).toHaveLength(1_000);
    expect(thin.features[0].count).toBe(5_000);
    const window = live(1_400, 0.5);
    const full = monitor.assess(profile, window);
    const fromThin = monitor.assess(thin, window);
    expect(fromThin.driftedFeatures).toEqual(full.driftedFeatures);
    fromThin.features.forEach((f, i) => {
      expect(f.psi).toBeCloseTo(full.features[i].psi, 12); // PSI bins come from the full sample
      expect(Math.abs(f.ks - full.features[i].ks)).toBeLessThan(0.01);
    });
  });

  it('compare() profiles and assesses in one call; columnsFromRows feeds it row vectors', () => {
    const rows = [
      [1, 10],
      [2, 20],
      [3, 30],
    ];
    const columns = columnsFromRows(['a', 'b'], rows);
    expect(Array.from(columns['b'])).toEqual([10, 20, 30]);
    const report = new DriftMonitor({ minLiveSamples: 1 }).compare(columns, columns, ['a', 'b']);
    expect(report.features.map((f) => [f.psi, f.ks])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(() => columnsFromRows(['a', 'b'], [[1]])).toThrow('row 0 has 1 values, expected 2');
  });

  it.each<[string, () => unknown, string]>([
    ['a live window missing a feature', () => monitor.assess(profile, { requestedCpu: [1] }), 'live data has no column for feature "requestedMemMb"'],
    ['a reference missing a feature', () => buildReferenceProfile({}, ['x']), 'reference data has no column for feature "x"'],
    ['a non-finite live value', () => monitor.assess(profile, { ...live(1, 0), hourOfDay: [1, Infinity] }), 'live feature hourOfDay: value at index 1 is Infinity'],
    ['a zero validation MAE', () => monitor.assess(profile, live(1, 0), { validationMae: 0, liveMae: 1, liveCount: 100 }), 'validationMae > 0'],
    ['a retrain ratio below the alert ratio', () => new DriftMonitor({ errorAlertRatio: 2, errorRetrainRatio: 1.5 }), 'errorRetrainRatio = 1.5'],
    ['a p-value threshold of 1', () => makeDriftPolicy({ ksPValueThreshold: 1 }), 'ksPValueThreshold = 1'],
  ])('refuses %s', (_label, act, message) => {
    expect(act).toThrow(DriftError);
    expect(act).toThrow(message);
  });
});

describe('decideDrift', () => {
  it.each<[string, Parameters<typeof decideDrift>[0], 'none' | 'alert' | 'retrain']>([
    ['nothing', { driftedFeatures: [], judgedFeatureCount: 4 }, 'none'],
    ['one of four features', { driftedFeatures: ['a'], judgedFeatureCount: 4 }, 'alert'],
    ['two of four features', { driftedFeatures: ['a', 'b'], judgedFeatureCount: 4 }, 'retrain'],
    ['error alert only', { driftedFeatures: [], judgedFeatureCount: 4, errorLevel: 'alert', errorRatio: 1.3 }, 'alert'],
    ['error retrain beats a feature alert', { driftedFeatures: ['a'], judgedFeatureCount: 4, errorLevel: 'retrain', errorRatio: 2 }, 'retrain'],
  ])('%s → %s', (_label, input, decision) => {
    const result = decideDrift(input, DEFAULT_DRIFT_POLICY);
    expect(result.decision).toBe(decision);
    expect(result.reasons.length > 0).toBe(decision !== 'none');
  });
});
