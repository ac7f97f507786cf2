import type { RegistryClock, TrainResult } from './model-version.model';

/** Test-only builders; not exported from the barrel. */
export function makeTrainResult(overrides: Partial<TrainResult> = {}): TrainResult {
  return {
    name: 'duration-gbdt',
    artifact: new TextEncoder().encode(JSON.stringify({ trees: [1, 2, 3], seed: overrides.notes ?? 'a' })),
    artifactFormat: 'gbdt-json/1',
    metrics: { maeMs: 1200, mape: 0.31 },
    trainingWindow: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-20T00:00:00.000Z' },
    features: ['requestedCpu', 'requestedMemMb', 'hourOfDay', 'queueLength'],
    backend: 'cpu',
    createdBy: 'trainer-test',
    ...overrides,
  };
}

/** A clock that advances one second per reading, so timestamps are distinct and predictable. */
export function steppingClock(startIso = '2026-11-23T12:00:00.000Z'): RegistryClock {
  let t = Date.parse(startIso);
  return {
    now: () => {
      const d = new Date(t);
      t += 1000;
      return d;
    },
  };
}
