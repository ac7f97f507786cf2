import type { DecisionRecord } from '@kairos/contracts';
import type { RankPosition } from './ordering-policy';

/** Version of the ordering record below (the policies' keys are versioned by their own code). */
export const ORDERING_EXPLAINER_VERSION = '1';

export interface OrderingDecisionContext {
  decisionId: string;
  at: string;
  /** The platform task started, and the platform task standing for the runner-up job (its oldest ready member). */
  taskId: string;
  runnerUpTaskId: string | null;
  /** The node its placement chose (the ordering record names it for the per-node query). */
  nodeId: string | null;
  policy: string;
  queue: string;
  waitingMs: number;
  priority: number;
  estimateP50Ms: number | null;
  attempt: number;
}

/**
 * The ordering decision ("why this task now") of a ranked policy: the task's rank key and queue position,
 * and the best-ranked other task with why it did not start first — `lower_score` (ranked behind),
 * `tie_break` (equal key: earlier arrival first) or `constraint` (ranked ahead but not started: it did
 * not fit, a reservation held it, or the policy chose by its own rule). Keys are "lower runs first".
 * No confidence: a rank key has no calibrated scale. Pure, O(1).
 */
export function explainOrdering(pos: RankPosition, ctx: OrderingDecisionContext): DecisionRecord {
  const round = (x: number): number => Math.round(x * 1e6) / 1e6;
  const candidate = (id: string, key: number, rank: number) => ({
    id: id.slice(0, 200),
    score: round(key),
    eligible: true,
    components: [
      { name: 'rank_key', input: round(key), weight: 1, contribution: round(key) },
      { name: 'queue_position', input: rank, weight: 0, contribution: 0 },
    ],
  });
  const o = pos.other;
  let runnerUp: DecisionRecord['runnerUp'] = null;
  if (o) {
    const margin = round(Math.abs(pos.key - o.key));
    const id = ctx.runnerUpTaskId ?? o.taskId;
    if (pos.rank > 0) runnerUp = { candidate: candidate(id, o.key, o.rank), reason: 'constraint', margin, detail: 'ranked ahead but not started now (did not fit, held by a reservation, or the policy chose by its own rule)' };
    else if (margin > 0) runnerUp = { candidate: candidate(id, o.key, o.rank), reason: 'lower_score', margin, detail: `ranked second: key ${round(o.key)} vs ${round(pos.key)}` };
    else runnerUp = { candidate: candidate(id, o.key, o.rank), reason: 'tie_break', margin: 0, detail: 'equal key: the earlier arrival runs first' };
  }
  const ru = runnerUp ? `; runner-up ${runnerUp.candidate.id.slice(0, 60)} (${runnerUp.reason})` : '; no other task queued';
  return {
    schemaVersion: 1,
    decisionId: ctx.decisionId,
    kind: 'ordering',
    at: ctx.at,
    policy: { name: ctx.policy, version: ORDERING_EXPLAINER_VERSION },
    taskId: ctx.taskId,
    nodeId: ctx.nodeId,
    objective: 'min',
    chosen: candidate(ctx.taskId, pos.key, pos.rank),
    runnerUp,
    inputs: {
      ...(ctx.estimateP50Ms !== null ? { estimate: { p50Ms: ctx.estimateP50Ms, quantile: { level: 0.5, valueMs: ctx.estimateP50Ms }, model: null } } : {}),
      waitingMs: Math.max(0, ctx.waitingMs),
      queueLength: pos.queued,
      attempt: Math.max(1, ctx.attempt),
      extra: { queue: ctx.queue, priority: ctx.priority, queuePosition: pos.rank },
    },
    confidence: null,
    candidatesConsidered: pos.queued,
    candidatesSampled: pos.queued > 1,
    summary: `${ctx.policy}: position ${pos.rank + 1} of ${pos.queued} queued in ${ctx.queue}${ru}`.slice(0, 500),
  };
}
