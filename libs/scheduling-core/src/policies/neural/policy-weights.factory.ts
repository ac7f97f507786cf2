import { seededRng } from '../../model/clock';
import { CONTEXT_FEATURES, N_CONTEXT, N_TASK, TASK_FEATURES, type TaskFeature } from './neural-features';
import {
  CURRENT_FEATURE_SCHEMA_HASH,
  POLICY_WEIGHTS_FORMAT,
  POLICY_WEIGHTS_FORMAT_VERSION,
  type DenseActivation,
  type NetworkWeights,
  type PolicyWeights,
} from './neural-weights';

/** Means and deviations of the raw features (from a rollout of the prior policy, see featureStatistics). */
export interface FeatureNormalisation {
  readonly taskMean: number[];
  readonly taskStd: number[];
  readonly contextMean: number[];
  readonly contextStd: number[];
}

export const IDENTITY_NORMALISATION: FeatureNormalisation = {
  taskMean: Array<number>(N_TASK).fill(0),
  taskStd: Array<number>(N_TASK).fill(1),
  contextMean: Array<number>(N_CONTEXT).fill(0),
  contextStd: Array<number>(N_CONTEXT).fill(1),
};

/** A linear rule over raw task features: priority = Σ coefficient × feature (higher runs first). */
export type LinearRule = Partial<Record<TaskFeature, number>>;

/** sjf-online's hand-set rule: shortest current estimate first, pilots' siblings 0.5 lower until one finishes. */
export const SJF_ONLINE_RULE: LinearRule = { 'log_estimate_s.v1': -1, 'pilots_out.v1': -0.5 };

export interface InitialWeightsOptions {
  readonly normalisation: FeatureNormalisation;
  /** The starting policy (residual learning: the networks start at zero output on top of it). */
  readonly rule: LinearRule;
  readonly taskHidden: readonly number[];
  readonly contextHidden: readonly number[];
  readonly activation: DenseActivation;
  readonly seed: number;
  readonly shortlist: number;
  readonly pilotFraction: number;
  readonly elapsedStretch: number;
  readonly agingPerHour: number;
  readonly version: string;
  readonly training: PolicyWeights['training'];
}

/** Glorot-uniform hidden layers from a seeded generator, the output layer all zeros (so the network adds 0 at first). */
function initNetwork(inputs: number, hidden: readonly number[], activation: DenseActivation, next: () => number): NetworkWeights {
  const sizes = [inputs, ...hidden, 1];
  const layers = sizes.slice(0, -1).map((nin, i) => {
    const nout = sizes[i + 1] as number;
    const last = i === sizes.length - 2;
    const limit = Math.sqrt(6 / (nin + nout));
    const weights = Array.from({ length: nin * nout }, () => (last ? 0 : (2 * next() - 1) * limit));
    return { shape: [nin, nout] as [number, number], weights, bias: Array<number>(nout).fill(0), activation: last ? ('linear' as const) : activation };
  });
  return { layers };
}

/**
 * Weights whose policy is exactly `rule` (taskSkip = rule coefficient × feature deviation, since
 * the skip term reads normalised features; both networks output 0): the starting point of training.
 */
export function initialPolicyWeights(o: InitialWeightsOptions): PolicyWeights {
  const rng = seededRng(o.seed);
  const next = (): number => rng.next();
  return {
    format: POLICY_WEIGHTS_FORMAT,
    formatVersion: POLICY_WEIGHTS_FORMAT_VERSION,
    policy: 'rl',
    version: o.version,
    taskFeatures: [...TASK_FEATURES],
    contextFeatures: [...CONTEXT_FEATURES],
    featureSchemaHash: CURRENT_FEATURE_SCHEMA_HASH,
    normalisation: {
      taskMean: [...o.normalisation.taskMean],
      taskStd: [...o.normalisation.taskStd],
      contextMean: [...o.normalisation.contextMean],
      contextStd: [...o.normalisation.contextStd],
    },
    taskSkip: TASK_FEATURES.map((f, i) => (o.rule[f] ?? 0) * (o.normalisation.taskStd[i] ?? 1)),
    taskNet: initNetwork(N_TASK, o.taskHidden, o.activation, next),
    contextNet: initNetwork(N_TASK + N_CONTEXT, o.contextHidden, o.activation, next),
    agingPerHour: o.agingPerHour,
    shortlist: o.shortlist,
    pilotFraction: o.pilotFraction,
    elapsedStretch: o.elapsedStretch,
    training: o.training,
  };
}

/**
 * Smith's rule for the per-task objective (a task's instances each weigh 1 ÷ its instance count, so
 * the weighted-shortest-processing-time order is by instances × estimate, i.e. by the task's total
 * work), with sjf-online's pilot probing. Hand-set: the coefficients are the rule's, not fitted.
 */
export const SJF_WORK_RULE: LinearRule = { 'log_estimate_s.v1': -1, 'log_instances.v1': -1, 'pilots_out.v1': -0.5 };

const zeroNetwork = (inputs: number): NetworkWeights => ({
  layers: [{ shape: [inputs, 1], weights: Array<number>(inputs).fill(0), bias: [0], activation: 'linear' }],
});

/** Weights that run a hand-set linear rule through the same policy code (no network, no shortlist scoring). */
export function linearRuleWeights(name: string, rule: LinearRule, o: { pilotFraction?: number; elapsedStretch?: number; agingPerHour?: number } = {}): PolicyWeights {
  return {
    format: POLICY_WEIGHTS_FORMAT,
    formatVersion: POLICY_WEIGHTS_FORMAT_VERSION,
    policy: name,
    version: `${name}-hand-set`,
    taskFeatures: [...TASK_FEATURES],
    contextFeatures: [...CONTEXT_FEATURES],
    featureSchemaHash: CURRENT_FEATURE_SCHEMA_HASH,
    normalisation: { ...IDENTITY_NORMALISATION },
    taskSkip: TASK_FEATURES.map((f) => rule[f] ?? 0),
    taskNet: zeroNetwork(N_TASK),
    contextNet: zeroNetwork(N_TASK + N_CONTEXT),
    agingPerHour: o.agingPerHour ?? 0,
    shortlist: 1,
    pilotFraction: o.pilotFraction ?? 0.05,
    elapsedStretch: o.elapsedStretch ?? 2,
    training: { method: 'hand-set linear rule (not trained)', seed: 0, trainedOn: 'nothing', budget: 'none', command: '', backend: 'none', createdAt: '' },
  };
}
