import type { AnomalyScore, Diagnosis, RepairAudit } from '../api/api-types';
import { anomalyBand, describeAction, joinAnomalies } from './anomaly-join';

const score = (nodeId: string, metric: string, latest: number | null, max: number | null, learning = false): AnomalyScore => ({ nodeId, metric, points: 10, latest, max, maxAt: null, samplesSeen: 900, learning });
const diag = (over: Partial<Diagnosis>): Diagnosis => ({
  id: 'd1',
  ruleId: 'high-cpu',
  target: { kind: 'node', nodeId: 'n1' },
  confidence: 0.9,
  explanation: 'avg CPU 97 % over 300 s',
  evidence: {},
  action: { kind: 'cordon_node', nodeId: 'n1' },
  outcome: 'sent',
  reason: 'requested cordon_node',
  actionId: 'a1',
  decidedBy: 'analyzer-1',
  decidedAt: '2026-11-29T10:00:00.000Z',
  ...over,
});
const repair = (over: Partial<RepairAudit>): RepairAudit => ({
  actionId: 'a1',
  kind: 'cordon_node',
  action: { kind: 'cordon_node', nodeId: 'n1' },
  reason: 'high cpu',
  confidence: 0.9,
  dryRun: false,
  requestedBy: 'analyzer:high-cpu',
  status: 'applied',
  detail: null,
  appliedBy: 'ex-1',
  appliedAt: '2026-11-29T10:00:01.000Z',
  ...over,
});

describe('anomalies with their diagnosis and the action taken', () => {
  it('joins scores, diagnoses and repairs per node, most anomalous first', () => {
    const j = joinAnomalies(
      [score('n0', 'memMb', 0.1, 0.2), score('n1', 'memMb', 0.3, 0.4), score('n1', 'cpuPercent', 0.95, 0.99), score('n0', 'cpuPercent', 0, 0.1)],
      [
        diag({}),
        diag({ id: 'd2', outcome: 'suppressed', actionId: null, reason: 'cooldown: same rule and target 120 s ago', decidedAt: '2026-11-29T10:05:00.000Z' }),
        diag({ id: 'd3', target: { kind: 'queue', queue: 'etl' }, action: { kind: 'throttle_queue', queue: 'etl', maxConcurrent: 2 }, outcome: 'dry-run', actionId: null, reason: 'dry-run: would request throttle_queue' }),
      ],
      [repair({})],
    );
    expect(j.nodes.map((n) => [n.nodeId, n.latest, n.peak])).toEqual([
      ['n1', 0.95, 0.99],
      ['n0', 0.1, 0.2],
    ]);
    expect(j.nodes[0].metrics.map((m) => m.metric)).toEqual(['cpuPercent', 'memMb']);
    expect(j.nodes[0].diagnoses.map((d) => [d.diagnosis.id, d.action, d.taken])).toEqual([
      ['d2', 'cordon n1', 'suppressed: cooldown: same rule and target 120 s ago'],
      ['d1', 'cordon n1', 'sent → applied'],
    ]);
    expect(j.other.map((d) => [d.target, d.action, d.taken])).toEqual([['queue etl', 'throttle queue etl to 2', 'dry-run: dry-run: would request throttle_queue']]);
  });

  it('says when a sent repair has not been applied yet, or failed', () => {
    const pending = joinAnomalies([score('n1', 'cpuPercent', 1, 1)], [diag({})], []);
    expect(pending.nodes[0].diagnoses[0].taken).toBe('sent → not yet applied');
    const failed = joinAnomalies([score('n1', 'cpuPercent', 1, 1)], [diag({})], [repair({ status: 'failed', detail: 'node unknown' })]);
    expect(failed.nodes[0].diagnoses[0].taken).toBe('sent → failed: node unknown');
  });

  it('describes every repair action and bands scores', () => {
    expect(describeAction({ kind: 'throttle_queue', queue: 'q', maxConcurrent: null })).toBe('throttle queue q to unlimited');
    expect(describeAction({ kind: 'drain_node', nodeId: 'n' })).toBe('drain n');
    expect(describeAction({ kind: 'uncordon_node', nodeId: 'n' })).toBe('uncordon n');
    expect(describeAction({ kind: 'restart_runner', nodeId: 'n' })).toBe('restart runner on n');
    expect(describeAction({ kind: 'scale_request', service: 'executor', delta: 1 })).toBe('scale executor +1');
    expect(describeAction({ kind: 'scale_request', service: 'analyzer', delta: -2 })).toBe('scale analyzer -2');
    expect(describeAction({ kind: 'future_thing' })).toBe('future_thing');
    expect([anomalyBand(null), anomalyBand(0.2), anomalyBand(0.5), anomalyBand(0.9)]).toEqual(['none', 'normal', 'elevated', 'anomalous']);
  });
});
