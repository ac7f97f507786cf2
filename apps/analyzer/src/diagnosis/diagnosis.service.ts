import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { makeEnvelope, type DecisionRecord } from '@kairos/contracts';
import { createDetector, DEFAULT_DETECTOR_CONFIG, decideRepairs, decisionKey, DiagnosisRuleSchema, evaluateRules, StreamScorers, type DiagnosisRule, type RepairDecision, type StreamInfo, type TargetMetrics } from '@kairos/ml';
import type { KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, KAIROS_METRICS, type AppIdentity, type KairosMetrics } from '@kairos/runtime';
import { AnalyzerError } from '../errors/analyzer.errors';
import { diagnosisDecisionRecord } from './diagnosis-decision';
import { DIAGNOSIS_REPOSITORY, type DiagnosisRepository } from './diagnosis.repository';
import { keysetOf, pageFrom, type Page } from '@kairos/runtime';

const MAX_WINDOW_SEC = 86_400;

/** Metrics the collector stores per node, and the anomaly-score series derived from each. */
const NODE_METRICS = ['cpuPercent', 'memMb'] as const;
export const anomalyMetric = (metric: string) => `${metric}Anomaly`;

/** Anomaly streams are keyed `<nodeId>/<metric>`; a node id may itself contain '/'. */
const streamKey = (nodeId: string, metric: string) => `${nodeId}/${metric}`;
function splitStreamKey(key: string): { nodeId: string; metric: string } {
  const at = key.lastIndexOf('/');
  return { nodeId: key.slice(0, at), metric: key.slice(at + 1) };
}

/**
 * What the detector of a `<node>/<metric>` stream is told up front: its probationary period and the
 * metric's domain as its value range. CPU is a percentage of the node's capacity (0–100); memory is
 * bounded by the node's declared memory (`nodes.mem_mb`). This is the metric's definition, not
 * lookahead. When the node's memory is unknown, the detector takes the range of its probationary period.
 */
export function metricStreamInfo(key: string, probationaryPeriod: number, memCapacityMb?: number): StreamInfo {
  const { metric } = splitStreamKey(key);
  if (metric === 'cpuPercent') return { inputMin: 0, inputMax: 100, probationaryPeriod };
  if (metric === 'memMb' && memCapacityMb !== undefined && memCapacityMb > 0) return { inputMin: 0, inputMax: memCapacityMb, probationaryPeriod };
  return { probationaryPeriod };
}

@Injectable()
export class DiagnosisService {
  readonly anomalies: StreamScorers;
  /** Declared memory (MB) of the nodes seen in metric samples, read before their streams are scored. */
  private readonly memCapacityMb = new Map<string, number>();
  constructor(
    @Inject(DIAGNOSIS_REPOSITORY) private readonly repo: DiagnosisRepository,
    @Inject(CONFIG) private readonly config: KairosConfig,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
    @Optional() @Inject(KAIROS_METRICS) metrics?: KairosMetrics,
  ) {
    const probationaryPeriod = config.ANOMALY_PROBATION_SAMPLES;
    this.anomalies = new StreamScorers((key) =>
      createDetector(DEFAULT_DETECTOR_CONFIG, metricStreamInfo(key, probationaryPeriod, this.memCapacityMb.get(splitStreamKey(key).nodeId))),
    );
    // /metrics: the latest score of every scored stream (scored as metrics arrive for diagnosis).
    metrics?.onScrape('anomaly-scores', () => {
      for (const key of this.anomalies.keys()) {
        const latest = this.anomalies.recent(key, 0).at(-1);
        if (latest) metrics.anomalyScore.set({ node: splitStreamKey(key).nodeId, metric: splitStreamKey(key).metric }, latest.value);
      }
    });
  }

  async rules(): Promise<DiagnosisRule[]> {
    return (await this.repo.rules()).map((r) => DiagnosisRuleSchema.parse(r));
  }

  async rule(id: string): Promise<DiagnosisRule> {
    const rule = await this.repo.rule(id);
    if (rule === undefined) throw new AnalyzerError('RULE_NOT_FOUND', `no diagnosis rule ${JSON.stringify(id)}`, { id });
    return DiagnosisRuleSchema.parse(rule);
  }

  async create(rule: DiagnosisRule): Promise<DiagnosisRule> {
    if (!(await this.repo.insertRule(rule.id, rule))) throw new AnalyzerError('RULE_EXISTS', `diagnosis rule ${JSON.stringify(rule.id)} already exists`, { id: rule.id });
    return rule;
  }

  async replace(id: string, rule: DiagnosisRule): Promise<DiagnosisRule> {
    if (rule.id !== id) throw new AnalyzerError('VALIDATION_FAILED', `invalid diagnosis rule: id: body says ${JSON.stringify(rule.id)}, path says ${JSON.stringify(id)}`, { field: 'id' });
    if (!(await this.repo.updateRule(id, rule))) throw new AnalyzerError('RULE_NOT_FOUND', `no diagnosis rule ${JSON.stringify(id)}`, { id });
    return rule;
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repo.deleteRule(id))) throw new AnalyzerError('RULE_NOT_FOUND', `no diagnosis rule ${JSON.stringify(id)}`, { id });
  }

  /** Node metric series from the collector's samples: cpuPercent, memMb and (where the node agent measured it) netPercent, times in seconds. */
  async nodeMetrics(windowSec: number, nowMs: number): Promise<TargetMetrics[]> {
    const rows = await this.repo.nodeSamples(new Date(nowMs - windowSec * 1000).toISOString(), new Date(nowMs).toISOString());
    const byNode = new Map<string, TargetMetrics>();
    for (const r of rows) {
      let tm = byNode.get(r.node_id);
      if (!tm) {
        if (r.capacity_mb !== null) this.memCapacityMb.set(r.node_id, Number(r.capacity_mb));
        tm = { target: { kind: 'node', nodeId: r.node_id }, series: { cpuPercent: [], memMb: [] } };
        byNode.set(r.node_id, tm);
      }
      const t = new Date(r.sampled_at).getTime() / 1000;
      tm.series.cpuPercent.push({ t, value: r.cpu_percent });
      tm.series.memMb.push({ t, value: r.mem_mb });
      if (r.net_percent !== null && r.net_percent !== undefined) (tm.series.netPercent ??= []).push({ t, value: Number(r.net_percent) });
    }
    const since = nowMs / 1000 - windowSec;
    for (const tm of byNode.values()) {
      const nodeId = tm.target.kind === 'node' ? tm.target.nodeId : tm.target.queue;
      for (const m of NODE_METRICS) {
        const key = streamKey(nodeId, m);
        this.anomalies.score(key, tm.series[m]);
        tm.series[anomalyMetric(m)] = this.anomalies.recent(key, since);
      }
    }
    return [...byNode.values()];
  }

  /**
   * Latest and peak anomaly score per node metric over the last `windowSec` (scores are computed as
   * metrics arrive for diagnosis). `learning` is true while the stream's detector is still in its
   * probationary period (`samplesSeen` < ANOMALY_PROBATION_SAMPLES) and scores 0 whatever happens.
   */
  async anomalyReport(
    windowSec: number,
    nowMs = Date.now(),
  ): Promise<Array<{ nodeId: string; metric: string; points: number; latest: number | null; max: number | null; maxAt: string | null; samplesSeen: number; learning: boolean }>> {
    await this.nodeMetrics(windowSec, nowMs); // scores whatever arrived since the last round
    const since = nowMs / 1000 - windowSec;
    return this.anomalies.keys().map((key) => {
      const { nodeId, metric } = splitStreamKey(key);
      const pts = this.anomalies.recent(key, since);
      const peak = pts.reduce<{ t: number; value: number } | null>((best, p) => (!best || p.value > best.value ? p : best), null);
      const samplesSeen = this.anomalies.seen(key);
      return {
        nodeId,
        metric,
        points: pts.length,
        latest: pts.at(-1)?.value ?? null,
        max: peak?.value ?? null,
        maxAt: peak ? new Date(peak.t * 1000).toISOString() : null,
        samplesSeen,
        learning: samplesSeen < this.config.ANOMALY_PROBATION_SAMPLES,
      };
    });
  }

  /** One diagnosis round: evaluate, decide (confidence threshold, cooldown, dry-run), audit, request repairs. */
  async evaluate(nowMs = Date.now()): Promise<RepairDecision[]> {
    const { config } = this;
    const rules = (await this.rules()).filter((r) => r.enabled);
    if (!rules.length) return [];
    const windowSec = Math.min(MAX_WINDOW_SEC, Math.max(...rules.flatMap((r) => r.conditions.map((c) => c.windowSec))));
    const diagnoses = evaluateRules(rules, await this.nodeMetrics(windowSec, nowMs), nowMs / 1000);
    if (!diagnoses.length) return [];
    const recent = await this.repo.recentDecisions(new Date(nowMs - config.REPAIR_COOLDOWN_SEC * 1000).toISOString());
    const history = new Map(recent.map((r) => [`${r.rule_id}:${r.target_key}`, new Date(r.at).getTime() / 1000]));
    const decisions = decideRepairs(diagnoses, { minConfidence: config.REPAIR_MIN_CONFIDENCE, dryRun: config.REPAIR_DRY_RUN, cooldownSec: config.REPAIR_COOLDOWN_SEC, maxActionsPerRound: 3 }, history, nowMs / 1000);
    const records: DecisionRecord[] = [];
    await this.repo.recordDecisions(
      decisions.map((d) => {
        const outcome = d.suppressed ? 'suppressed' : d.dryRun ? 'dry-run' : 'sent';
        const actionId = outcome === 'sent' ? randomUUID() : null;
        const why = d.suppressed ?? (d.dryRun ? `dry-run: would request ${d.action.kind}` : `requested ${d.action.kind}`);
        const targetKey = decisionKey(d.diagnosis).slice(d.diagnosis.ruleId.length + 1);
        if (config.DECISION_RECORDING) records.push(diagnosisDecisionRecord({ decisionId: randomUUID(), at: new Date(nowMs), decision: d, all: diagnoses, outcome, reason: why }));
        return {
          id: randomUUID(),
          ruleId: d.diagnosis.ruleId,
          target: d.diagnosis.target,
          targetKey,
          confidence: d.diagnosis.confidence,
          explanation: d.diagnosis.explanation,
          evidence: d.diagnosis.evidence,
          action: d.action,
          outcome,
          reason: why,
          actionId,
          decidedBy: this.id.instanceId,
          decidedAt: new Date(nowMs).toISOString(),
          event: actionId
            ? makeEnvelope('repair.requested.v1', actionId, { actionId, action: d.action, reason: d.reason.slice(0, 2000), confidence: d.diagnosis.confidence, dryRun: false, requestedBy: `analyzer:${d.diagnosis.ruleId}` })
            : null,
        };
      }),
    );
    // The same decisions as DecisionRecords (kind 'diagnosis') for GET /api/decisions; best effort, after the audit rows.
    await this.repo.insertDecisionRecords(records).catch((err: unknown) => this.id.logger.warn({ err, records: records.length }, 'writing diagnosis decision records failed; these are lost'));
    return decisions;
  }

  /** A page of the decision audit, newest first. */
  async audit(filter: { limit: number; cursor?: string }): Promise<Page<Record<string, unknown>>> {
    const rows = await this.repo.audit(filter.limit + 1, keysetOf(filter.cursor));
    return pageFrom(rows, filter.limit, (r) => r.id, ({ cursor_t: _t, ...r }) => r);
  }
}
