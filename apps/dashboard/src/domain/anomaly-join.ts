// Anomalies with their diagnosis and the action taken: the analyzer's anomaly scores per node metric
// (GET /api/anomalies), its diagnosis audit (GET /api/diagnoses) and the executor's repair audit
// (GET /api/repairs), joined per node — diagnosis → repair by action id.
import type { RepairAction } from '@kairos/contracts';
import type { AnomalyScore, Diagnosis, RepairActionSpec, RepairAudit } from '../api/api-types';

/** Display bands for an anomaly score (0..1, ARTime); the diagnosis rules set their own thresholds. */
export function anomalyBand(score: number | null): 'none' | 'normal' | 'elevated' | 'anomalous' {
  if (score === null) return 'none';
  return score >= 0.9 ? 'anomalous' : score >= 0.5 ? 'elevated' : 'normal';
}

export function describeAction(a: RepairActionSpec): string {
  const known = a as RepairAction;
  switch (known.kind) {
    case 'throttle_queue':
      return `throttle queue ${known.queue} to ${known.maxConcurrent === null ? 'unlimited' : known.maxConcurrent}`;
    case 'cordon_node':
      return `cordon ${known.nodeId}`;
    case 'uncordon_node':
      return `uncordon ${known.nodeId}`;
    case 'drain_node':
      return `drain ${known.nodeId}`;
    case 'restart_runner':
      return `restart runner on ${known.nodeId}`;
    case 'scale_request':
      return `scale ${known.service} ${known.delta >= 0 ? '+' : ''}${known.delta}`;
    default:
      return a.kind;
  }
}

export interface DiagnosisRow {
  diagnosis: Diagnosis;
  target: string;
  action: string;
  /** What happened: "sent → applied", "dry-run (would …)", "suppressed: cooldown …". */
  taken: string;
  repair: RepairAudit | null;
}

export interface NodeAnomalies {
  nodeId: string;
  metrics: AnomalyScore[];
  /** Highest latest score over the node's metrics. */
  latest: number | null;
  peak: number | null;
  learning: boolean;
  diagnoses: DiagnosisRow[];
}

export function targetOf(d: Diagnosis): string {
  return d.target.kind === 'node' ? d.target.nodeId : `queue ${d.target.queue}`;
}

export function diagnosisRow(d: Diagnosis, repairs: ReadonlyMap<string, RepairAudit>): DiagnosisRow {
  const repair = d.actionId ? (repairs.get(d.actionId) ?? null) : null;
  let taken: string;
  if (d.outcome === 'sent') taken = repair ? `sent → ${repair.status}${repair.detail ? `: ${repair.detail}` : ''}` : 'sent → not yet applied';
  else if (d.outcome === 'dry-run') taken = `dry-run: ${d.reason}`;
  else taken = `suppressed: ${d.reason}`;
  return { diagnosis: d, target: targetOf(d), action: describeAction(d.action), taken, repair };
}

const maxOf = (xs: ReadonlyArray<number | null>): number | null => xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.max(m, x)), null);

/** Per node (most anomalous first), plus diagnoses whose target is not a scored node. */
export function joinAnomalies(
  scores: readonly AnomalyScore[],
  diagnoses: readonly Diagnosis[],
  repairs: readonly RepairAudit[],
): { nodes: NodeAnomalies[]; other: DiagnosisRow[] } {
  const repairById = new Map(repairs.map((r) => [r.actionId, r]));
  const nodes = new Map<string, NodeAnomalies>();
  for (const s of scores) {
    const n = nodes.get(s.nodeId) ?? { nodeId: s.nodeId, metrics: [], latest: null, peak: null, learning: false, diagnoses: [] };
    n.metrics.push(s);
    nodes.set(s.nodeId, n);
  }
  for (const n of nodes.values()) {
    n.metrics.sort((a, b) => a.metric.localeCompare(b.metric));
    n.latest = maxOf(n.metrics.map((m) => m.latest));
    n.peak = maxOf(n.metrics.map((m) => m.max));
    n.learning = n.metrics.every((m) => m.learning);
  }
  const other: DiagnosisRow[] = [];
  for (const d of [...diagnoses].sort((a, b) => b.decidedAt.localeCompare(a.decidedAt))) {
    const row = diagnosisRow(d, repairById);
    const node = d.target.kind === 'node' ? nodes.get(d.target.nodeId) : undefined;
    if (node) node.diagnoses.push(row);
    else other.push(row);
  }
  const list = [...nodes.values()].sort((a, b) => (b.peak ?? -1) - (a.peak ?? -1) || a.nodeId.localeCompare(b.nodeId));
  return { nodes: list, other };
}
