import { seededRandom } from '../common/random';
import { importanceFromMetrics } from '../explain/feature-importance.metrics';
import { DURATION_FEATURE_NAMES } from '../prediction/duration-features';
import { durationModelFeatures, SERVED_DURATION_MODEL } from '../prediction/served-duration.config';
import {
  decodeServingArtifact,
  LiveDurationFeatures,
  platformFeatureRows,
  servingFeatures,
  ServingError,
  DEFAULT_PLATFORM_TRAINING,
  toDurationSpec,
  trainPlatformDurationModel,
  type PlatformTaskRecord,
} from './platform-duration.training';

/** Three kinds of job with distinct durations (1 s, 5 s, 20 s ± 10 %), one task every 2 s. */
function history(n: number, seed = 7): PlatformTaskRecord[] {
  const random = seededRandom(seed);
  const kinds = [
    { signature: 'q|shell|small', cpuMillis: 100, base: 1_000 },
    { signature: 'q|shell|medium', cpuMillis: 500, base: 5_000 },
    { signature: 'q|shell|large', cpuMillis: 2000, base: 20_000 },
  ];
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const k = kinds[Math.floor(random() * kinds.length)];
    const created = t0 + i * 2_000;
    const duration = k.base * (0.9 + 0.2 * random());
    return { taskId: `t${i}`, signature: k.signature, cpuMillis: k.cpuMillis, memMb: 64, createdAtMs: created, finishedAtMs: created + duration, succeeded: true };
  });
}

describe('trainPlatformDurationModel', () => {
  // The served configuration as it is (SERVED_DURATION_MODEL: 150 trees): its row weights start the fit from a
  // weighted median, so a shortened fit (40 trees) is not converged on this history (1.48 × the baseline).
  const outcome = trainPlatformDurationModel(history(400));

  it('validates against the moving-average baseline on the newest tasks and records what it needs', () => {
    expect(outcome.metrics.validationExamples).toBe(80);
    // Per-signature noise is uniform here, so the baseline is near-optimal; the model must be in its league.
    expect(outcome.metrics.validationMaeMs).toBeLessThan(1.25 * outcome.metrics.baselineMaeMs);
    expect(outcome.metrics.maeRatioToBaseline).toBeCloseTo(outcome.metrics.validationMaeMs / outcome.metrics.baselineMaeMs);
    expect(outcome.features).toEqual([...DURATION_FEATURE_NAMES]);
    expect(Date.parse(outcome.trainingWindow.from)).toBeLessThan(Date.parse(outcome.trainingWindow.to));
    expect(outcome.reference.features).toHaveLength(DURATION_FEATURE_NAMES.length);
  });

  it('round-trips the artifact and predicts p50 ≤ p90 near the truth', () => {
    const model = decodeServingArtifact(outcome.artifact);
    const live = new LiveDurationFeatures();
    const past = history(400);
    live.resync(past, Date.parse('2024-01-02T00:00:00Z'));
    const spec = toDurationSpec({ signature: 'q|shell|large', cpuMillis: 2000, memMb: 64, createdAtMs: Date.parse('2024-01-01T01:00:00Z') });
    const [q] = model.predictor.predictBatch([servingFeatures(model, live.features(spec))]);
    expect(q.p50).toBeGreaterThan(12);
    expect(q.p50).toBeLessThan(30);
    expect(q.p90).toBeGreaterThanOrEqual(q.p50);
  });

  it('resyncs in slices to the same state as in one piece, keeping the live calls made meanwhile', async () => {
    const past = history(400);
    const now = Date.parse('2024-01-02T00:00:00Z');
    const whole = new LiveDurationFeatures();
    whole.resync(past, now);
    const sliced = new LiveDurationFeatures();
    const done = sliced.resyncInSlices(past, now, 50);
    // A task queued and one finished while the new state is being built (between slices).
    const late = toDurationSpec({ signature: 'q|shell|late', cpuMillis: 500, memMb: 64, createdAtMs: now - 1_000 });
    sliced.observeQueued('late-1', late);
    await done;
    whole.observeQueued('late-1', late);
    const probe = toDurationSpec({ signature: 'q|shell|large', cpuMillis: 2000, memMb: 64, createdAtMs: Date.parse('2024-01-01T01:00:00Z') });
    expect(Array.from(sliced.features(probe))).toEqual(Array.from(whole.features(probe)));
    expect(sliced.runningCount).toBe(whole.runningCount);
    sliced.observeFinished('late-1', now, true);
    expect(sliced.runningCount).toBe(whole.runningCount - 1);
  });

  it('stores global feature importance with the version: permutation and mean |SHAP| on the validation rows', () => {
    const model = { name: 'duration', version: 1, featureSchemaHash: 'a'.repeat(64) };
    const importance = importanceFromMetrics(outcome.metrics, outcome.features, model);
    expect(importance).not.toBeNull();
    expect(importance!.validationRows).toBe(80);
    expect(importance!.repeats).toBe(3);
    expect(importance!.features.map((f) => f.feature)).toEqual([...DURATION_FEATURE_NAMES]);
    // The job's own history decides the duration here: some feature matters, and the largest is a finite positive MAE increase.
    const top = [...importance!.features].sort((a, b) => b.permutationIncrease - a.permutationIncrease)[0];
    expect(top.permutationIncrease).toBeGreaterThan(0);
    expect(importance!.features.some((f) => (f.meanAbsShap ?? 0) > 0.1)).toBe(true);
    // Seeded: the same training gives the same figures; importanceRepeats 0 stores none.
    expect(trainPlatformDurationModel(history(400)).metrics).toEqual(outcome.metrics);
    expect(importanceFromMetrics(trainPlatformDurationModel(history(200), { gbdt: { nTrees: 10 }, importanceRepeats: 0 }).metrics, outcome.features, model)).toBeNull();
  });

  it('trains what bench duration measures by default: the served feature groups, settings and row weights', () => {
    expect(DEFAULT_PLATFORM_TRAINING.model).toBe(SERVED_DURATION_MODEL);
    expect(DEFAULT_PLATFORM_TRAINING.gbdt).toEqual({});
    const model = decodeServingArtifact(outcome.artifact);
    expect(model.predictor.featureNames).toEqual(durationModelFeatures(SERVED_DURATION_MODEL));
    // The registered schema is the full input the live state computes; the model reads its subset of it.
    expect(outcome.features).toEqual([...DURATION_FEATURE_NAMES]);
    const row = Float64Array.from(DURATION_FEATURE_NAMES, (_, i) => i);
    expect(Array.from(servingFeatures(model, row))).toEqual(model.predictor.featureNames.map((n) => DURATION_FEATURE_NAMES.indexOf(n as (typeof DURATION_FEATURE_NAMES)[number])));
  });

  it('refuses a history that is too short, naming the count', () => {
    expect(() => trainPlatformDurationModel(history(10))).toThrow(ServingError);
    expect(() => trainPlatformDurationModel(history(10))).toThrow(/at least 30 succeeded tasks, history has 10/);
  });

  it('rejects bytes that are not a serving artifact', () => {
    expect(() => decodeServingArtifact(new TextEncoder().encode('{"kind":"other"}'))).toThrow(/kind\/version other/);
  });

  it('gives feature rows only for tasks created since the cut', () => {
    const h = history(100);
    expect(platformFeatureRows(h, h[90].createdAtMs)).toHaveLength(10);
  });
});

describe('LiveDurationFeatures stays bounded over a long run', () => {
  const spec = (i: number) => toDurationSpec({ signature: 'q|noop|soak', cpuMillis: 100, memMb: 64, createdAtMs: Date.parse('2024-01-01T00:00:00Z') + i * 1_000 });

  it('keeps the baselines to the last maxHistory durations and the arrival/end windows to ~20 min, without features() ever being asked', () => {
    const live = new LiveDurationFeatures(50_000, 500);
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    const sizes: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      live.observeQueued(`t${i}`, spec(i));
      live.observeFinished(`t${i}`, t0 + i * 1_000 + 200, true);
      if (i === 4_999 || i === 19_999) sizes.push(live.featureState.windowEntries);
    }
    // One arrival and one end a second: the 2 × 600 s kept plus at most 4096 not compacted yet, each.
    for (const n of sizes) expect(n).toBeLessThanOrEqual(2 * (1_200 + 4_097));
    expect(sizes[1]).toBeLessThanOrEqual(sizes[0] + 100);
    expect(live.featureState.baselines.estimate({ jobId: 'q|noop|soak', instanceNum: 1, planCpu: 10, planMem: spec(0).planMem }).finishedCount).toBe(500);
    expect(live.runningCount).toBe(0);
  });

  it('lets the oldest unfinished task go past maxRunning, and it leaves the running counts', () => {
    const live = new LiveDurationFeatures(10);
    for (let i = 0; i < 200; i++) live.observeQueued(`t${i}`, spec(i));
    expect(live.runningCount).toBe(10);
    // Feature 15 is log1p(running tasks): 10 tracked, not the 200 ever queued.
    expect(live.features(spec(200))[DURATION_FEATURE_NAMES.indexOf('log_cluster_running_tasks')]).toBeCloseTo(Math.log1p(10));
  });
});
