// A 'diagnosis' DecisionRecord (libs/contracts) per diagnosis the analyzer acts on or records: which rule
// matched which target, its evidence, the runner-up rule on the same target and why it lost, and what
// became of the repair (sent, dry run, suppressed). Written to scheduling_decisions beside the executor's
// records, so GET /api/decisions?kind=diagnosis serves them. Pure: ids and the instant are injected.
import type { DecisionCandidate, DecisionRecord } from '@kairos/contracts';
import type { Diagnosis, RepairDecision } from '@kairos/ml';

export const DIAGNOSIS_DECISION_POLICY = { name: 'diagnosis-rules', version: '1' } as const;

const clip = (s: string, n = 500) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const targetId = (d: Diagnosis) => (d.target.kind === 'node' ? d.target.nodeId : d.target.queue);

/** The rule as a candidate: score = its confidence; one component per condition, contribution = how far past the threshold. */
function ruleCandidate(d: Diagnosis): DecisionCandidate {
  return {
    id: d.ruleId,
    label: clip(d.ruleName, 200),
    score: d.confidence,
    components: d.evidence.slice(0, 32).map((e) => ({
      name: clip(`${e.aggregate}(${e.metric}) vs ${e.threshold}${e.met ? '' : ' (not met)'}`, 100),
      input: Number.isFinite(e.value) ? e.value : null,
      weight: null,
      contribution: Number.isFinite(e.value - e.threshold) ? e.value - e.threshold : 0,
    })),
    eligible: true,
  };
}

export interface DiagnosisDecisionInput {
  readonly decisionId: string;
  readonly at: Date;
  readonly decision: RepairDecision;
  /** Every diagnosis of the round (the other rules that matched the same target are the runner-up candidates). */
  readonly all: readonly Diagnosis[];
  readonly outcome: 'sent' | 'dry-run' | 'suppressed';
  readonly reason: string;
}

export function diagnosisDecisionRecord(i: DiagnosisDecisionInput): DecisionRecord {
  const d = i.decision.diagnosis;
  const id = targetId(d);
  const rivals = i.all.filter((o) => o !== d && o.ruleId !== d.ruleId && o.target.kind === d.target.kind && targetId(o) === id).sort((a, b) => b.confidence - a.confidence);
  const second = rivals[0];
  const first = ruleCandidate(d);
  return {
    schemaVersion: 1,
    decisionId: i.decisionId,
    kind: 'diagnosis',
    at: i.at.toISOString(),
    policy: { ...DIAGNOSIS_DECISION_POLICY },
    taskId: null,
    nodeId: d.target.kind === 'node' ? d.target.nodeId : null,
    objective: 'max',
    chosen: first,
    runnerUp: second
      ? {
          candidate: ruleCandidate(second),
          reason: second.confidence < d.confidence ? 'lower_score' : 'tie_break',
          margin: Math.abs(d.confidence - second.confidence),
          detail: clip(second.confidence < d.confidence ? `confidence ${second.confidence.toFixed(3)} < ${d.confidence.toFixed(3)}` : 'equal confidence; the rule evaluated first wins'),
        }
      : null,
    inputs: {
      extra: {
        target: clip(`${d.target.kind}:${id}`),
        action: d.action.kind,
        outcome: i.outcome,
        reason: clip(i.reason),
        dryRun: i.decision.dryRun,
        ...(d.target.kind === 'queue' ? { queue: d.target.queue } : {}),
      },
    },
    confidence: d.confidence,
    candidatesConsidered: 1 + rivals.length,
    candidatesSampled: false,
    summary: clip(`${d.explanation} → ${i.outcome}: ${i.reason}`),
  };
}
