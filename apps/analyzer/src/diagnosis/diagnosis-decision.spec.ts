import { DecisionRecordSchema } from '@kairos/contracts';
import type { Diagnosis, RepairDecision } from '@kairos/ml';
import { diagnosisDecisionRecord } from './diagnosis-decision';

const AT = new Date('2026-11-30T06:00:00.000Z');
const ID = '00000000-0000-4000-8000-0000000000d1';

const diag = (ruleId: string, nodeId: string, confidence: number, value: number): Diagnosis => ({
  ruleId,
  ruleName: `${ruleId} rule`,
  target: { kind: 'node', nodeId },
  confidence,
  evidence: [{ metric: 'cpu_percent', aggregate: 'avg', value, threshold: 90, samples: 60, met: value > 90, consistency: 0.9 }],
  action: { kind: 'cordon_node', nodeId },
  explanation: `${ruleId} on node ${nodeId}: avg(cpu_percent) = ${value} vs 90 over 60 samples`,
});

describe('diagnosis decision records', () => {
  const hot = diag('high-cpu', 'n1', 0.8, 97);
  const leak = diag('memory-leak', 'n1', 0.6, 95);
  const elsewhere = diag('network', 'n2', 0.95, 99);
  const decision: RepairDecision = { diagnosis: hot, action: hot.action, dryRun: true, suppressed: null, reason: 'x' };

  it('names the matched rule, its evidence, and the runner-up rule on the same target with the margin', () => {
    const r = DecisionRecordSchema.parse(diagnosisDecisionRecord({ decisionId: ID, at: AT, decision, all: [elsewhere, hot, leak], outcome: 'dry-run', reason: 'dry-run: would request cordon_node' }));
    expect(r).toMatchObject({ kind: 'diagnosis', taskId: null, nodeId: 'n1', confidence: 0.8, candidatesConsidered: 2, chosen: { id: 'high-cpu', score: 0.8 } });
    expect(r.chosen.components).toEqual([{ name: 'avg(cpu_percent) vs 90', input: 97, weight: null, contribution: 7 }]);
    expect(r.runnerUp).toMatchObject({ candidate: { id: 'memory-leak', score: 0.6 }, reason: 'lower_score' });
    expect(r.runnerUp!.margin).toBeCloseTo(0.2, 12);
    expect(r.inputs.extra).toMatchObject({ target: 'node:n1', action: 'cordon_node', outcome: 'dry-run', dryRun: true });
    expect(r.summary).toBe('high-cpu on node n1: avg(cpu_percent) = 97 vs 90 over 60 samples → dry-run: dry-run: would request cordon_node');
  });

  it('has no runner-up when no other rule matched that target; a tie is a tie_break', () => {
    expect(diagnosisDecisionRecord({ decisionId: ID, at: AT, decision, all: [hot, elsewhere], outcome: 'sent', reason: 'requested cordon_node' }).runnerUp).toBeNull();
    const tie = diagnosisDecisionRecord({ decisionId: ID, at: AT, decision, all: [hot, diag('other', 'n1', 0.8, 93)], outcome: 'suppressed', reason: 'cooldown' });
    expect(tie.runnerUp).toMatchObject({ reason: 'tie_break', margin: 0 });
  });
});
