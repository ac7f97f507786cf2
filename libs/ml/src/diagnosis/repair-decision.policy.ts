import type { RepairAction } from '@kairos/contracts';
import type { Diagnosis } from './rule-engine';

export interface RepairPolicy {
  /** Diagnoses below this confidence are recorded but not acted on. */
  minConfidence: number;
  dryRun: boolean;
  /** No second action for the same rule and target within this many seconds. */
  cooldownSec: number;
  /** At most this many actions per evaluation. */
  maxActionsPerRound: number;
}

export const DEFAULT_REPAIR_POLICY: RepairPolicy = { minConfidence: 0.7, dryRun: true, cooldownSec: 600, maxActionsPerRound: 3 };

export interface RepairDecision {
  diagnosis: Diagnosis;
  action: RepairAction;
  dryRun: boolean;
  /** Why it is not sent, when it is not. */
  suppressed: string | null;
  reason: string;
}

/** When each (rule, target) last led to an action, in seconds. */
export type ActionHistory = ReadonlyMap<string, number>;

export const decisionKey = (d: Diagnosis): string => `${d.ruleId}:${d.target.kind === 'node' ? d.target.nodeId : d.target.queue}`;

/** Turns diagnoses into decisions: every diagnosis gets a record, only confident, fresh ones an action. */
export function decideRepairs(diagnoses: readonly Diagnosis[], policy: RepairPolicy, history: ActionHistory, now: number): RepairDecision[] {
  let sent = 0;
  return [...diagnoses]
    .sort((a, b) => b.confidence - a.confidence)
    .map((d) => {
      const last = history.get(decisionKey(d));
      let suppressed: string | null = null;
      if (d.confidence < policy.minConfidence) suppressed = `confidence ${d.confidence.toFixed(2)} below ${policy.minConfidence}`;
      else if (last !== undefined && now - last < policy.cooldownSec) suppressed = `cooldown: same action ${Math.round(now - last)} s ago (< ${policy.cooldownSec} s)`;
      else if (sent >= policy.maxActionsPerRound) suppressed = `at most ${policy.maxActionsPerRound} actions per round`;
      if (!suppressed) sent++;
      return { diagnosis: d, action: d.action, dryRun: policy.dryRun, suppressed, reason: `${d.explanation} (confidence ${d.confidence.toFixed(2)})` };
    });
}
