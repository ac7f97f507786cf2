import { IDENTITY_NORMALISATION, SJF_ONLINE_RULE, initialPolicyWeights, type LinearRule } from './policy-weights.factory';
import { parsePolicyWeights, type PolicyWeights } from './neural-weights';

/** Test weights: `rule` plus small random hidden layers whose output layer is zero unless `randomOutput`. */
export function makePolicyWeights(o: { rule?: LinearRule; seed?: number; shortlist?: number; agingPerHour?: number; randomOutput?: boolean } = {}): PolicyWeights {
  const w = initialPolicyWeights({
    normalisation: IDENTITY_NORMALISATION,
    rule: o.rule ?? SJF_ONLINE_RULE,
    taskHidden: [6],
    contextHidden: [5],
    activation: 'tanh',
    seed: o.seed ?? 1,
    shortlist: o.shortlist ?? 4,
    pilotFraction: 0.05,
    elapsedStretch: 2,
    agingPerHour: o.agingPerHour ?? 0,
    version: 'test',
    training: { method: 'none', seed: o.seed ?? 1, trainedOn: 'test', budget: 'none', command: '', backend: 'none', createdAt: '2026-11-30T00:00:00Z' },
  });
  if (!o.randomOutput) return parsePolicyWeights(w);
  // Deterministic non-zero output layers so the networks matter.
  const fill = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(1 + i * 1.7 + k) * 0.8);
  const out = (net: PolicyWeights['taskNet'], k: number): PolicyWeights['taskNet'] => ({
    layers: net.layers.map((l, i) => (i === net.layers.length - 1 ? { ...l, weights: fill(l.weights.length, k), bias: [0.1 * k] } : l)),
  });
  return parsePolicyWeights({ ...w, taskNet: out(w.taskNet, 1), contextNet: out(w.contextNet, 2) });
}
