import type { Rng } from '../model/clock';
import { SchedulingError } from '../model/errors';
import type { Resources } from '../model/resources';
import type { PlacementStrategy } from '../placement/placement-strategy';
import { EasyBackfillPolicy } from './backfill.policy';
import { FcfsPolicy, FifoPolicy } from './fifo.policy';
import { GeneticPolicy } from './genetic.policy';
import { LearnedPolicy, type LearnedWeights } from './learned.policy';
import { MlfqPolicy } from './mlfq.policy';
import type { OrderingPolicy } from './ordering-policy';
import { PackingPolicy } from './packing.policy';
import { DynamicPriorityPolicy, StaticPriorityPolicy } from './priority.policy';
import { TenantRoundRobinPolicy } from './round-robin.policy';
import { SjfPolicy } from './sjf.policy';
import defaultWeights from './learned-weights.json';
import { NeuralPolicy } from './neural/neural.policy';
import { parsePolicyWeights, type PolicyWeights } from './neural/neural-weights';
import { SJF_WORK_RULE, linearRuleWeights } from './neural/policy-weights.factory';
import shippedRlWeights from './neural/rl-weights.json';

export const POLICY_NAMES = [
  'fifo',
  'fcfs',
  'backfill',
  'rr',
  'sjf',
  'sjf-requested',
  'sjf-oracle',
  'priority',
  'dynamic',
  'mlfq',
  'ga',
  'packing',
  'sjf-online',
  'sjf-work',
  'ai',
  'rl',
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export interface PolicyContext {
  readonly placement: PlacementStrategy;
  readonly rng: Rng;
  /** Capacity of one (typical) node. */
  readonly nodeCapacity: Resources;
  readonly learnedWeights?: LearnedWeights;
  /**
   * Weights of the `rl` policy (validated with parsePolicyWeights): the executor injects the
   * production version from the model registry here and builds a new policy to hot-swap it.
   */
  readonly policyWeights?: PolicyWeights;
}

export const DEFAULT_LEARNED_WEIGHTS: LearnedWeights = defaultWeights;

let defaultPolicyWeights: PolicyWeights | undefined;
/** The shipped `rl` weights (neural/rl-weights.json; training command and seed inside), validated once. */
export function defaultRlWeights(): PolicyWeights {
  defaultPolicyWeights ??= parsePolicyWeights(shippedRlWeights, 'policies/neural/rl-weights.json');
  return defaultPolicyWeights;
}

/**
 * Hand-set (not learned) baseline with the ai policy's information: shortest predicted duration
 * first with online run-time feedback (observed run times of finished instances; 2 × elapsed for
 * instances that outlive the estimate) and pilot probing (once 5 % of a task's instances, at least
 * one, have started with no run time observed, the rest rank 0.5 log-seconds lower until one
 * finishes). No resource or fit terms. `sjf-online-tuned` (bench schedule) tunes these knobs.
 */
export const SJF_ONLINE_WEIGHTS: LearnedWeights = {
  version: 1,
  features: ['log_pred_duration', 'rel_uncertainty', 'log_dominant_share', 'log_pending_instances'],
  weights: [1, 0, 0, 0],
  agePerHour: 0,
  fitWeight: 0,
  candidates: 1,
  elapsedStretch: 2,
  pilotFraction: 0.05,
  probePenalty: 0.5,
  jobBlend: 0,
  trainedOn: 'hand-set',
};

/**
 * Hand-set (not learned) rule with sjf-online's information: Smith's rule for the per-task objective —
 * the task's instances × current estimate, smallest first — with sjf-online's pilot probing
 * (SJF_WORK_RULE), through the rl policy's code with a linear rule and no network.
 */
export const SJF_WORK_WEIGHTS: PolicyWeights = linearRuleWeights('sjf-work', SJF_WORK_RULE);

export function createPolicy(name: string, ctx: PolicyContext): OrderingPolicy {
  const placement = ctx.placement;
  switch (name) {
    case 'fifo':
      return new FifoPolicy({ placement });
    case 'fcfs':
      return new FcfsPolicy({ placement });
    case 'backfill':
      return new EasyBackfillPolicy({ placement, information: 'predicted' });
    case 'rr':
      return new TenantRoundRobinPolicy({ placement });
    case 'sjf':
      return new SjfPolicy({ placement, information: 'predicted', name: 'sjf' });
    case 'sjf-requested':
      return new SjfPolicy({ placement, information: 'requested' });
    case 'sjf-oracle':
      return new SjfPolicy({ placement, information: 'actual', name: 'sjf-oracle' });
    case 'priority':
      return new StaticPriorityPolicy({ placement });
    case 'dynamic':
      return new DynamicPriorityPolicy({ placement, nodeCapacity: ctx.nodeCapacity });
    case 'mlfq':
      return new MlfqPolicy({ placement });
    case 'ga':
      return new GeneticPolicy({ placement, rng: ctx.rng });
    case 'packing':
      return new PackingPolicy({ placement });
    case 'sjf-online':
      return new LearnedPolicy({ placement, nodeCapacity: ctx.nodeCapacity, weights: SJF_ONLINE_WEIGHTS, name: 'sjf-online' });
    case 'sjf-work':
      return new NeuralPolicy({ placement, nodeCapacity: ctx.nodeCapacity, weights: SJF_WORK_WEIGHTS, name: 'sjf-work' });
    case 'ai':
      return new LearnedPolicy({ placement, nodeCapacity: ctx.nodeCapacity, weights: ctx.learnedWeights ?? DEFAULT_LEARNED_WEIGHTS });
    case 'rl':
      return new NeuralPolicy({ placement, nodeCapacity: ctx.nodeCapacity, weights: ctx.policyWeights ?? defaultRlWeights() });
    default:
      throw new SchedulingError('UNKNOWN_POLICY', `unknown policy "${name}" (known: ${POLICY_NAMES.join(', ')})`);
  }
}
