import { RepairActionSchema, type RepairAction } from '@kairos/contracts';
import { instantiateAction, type Condition, type DiagnosisRule } from './diagnosis-rule.schema';

export interface Sample {
  /** Seconds. */
  t: number;
  value: number;
}

/** Metric series of one target (a node or a queue). */
export interface TargetMetrics {
  target: { kind: 'node'; nodeId: string } | { kind: 'queue'; queue: string };
  series: Record<string, Sample[]>;
}

export interface ConditionEvidence {
  metric: string;
  aggregate: Condition['aggregate'];
  value: number;
  threshold: number;
  samples: number;
  r2?: number;
  met: boolean;
  /** Share of window samples that individually violate the threshold (consistency). */
  consistency: number;
}

export interface Diagnosis {
  ruleId: string;
  ruleName: string;
  target: TargetMetrics['target'];
  confidence: number;
  evidence: ConditionEvidence[];
  action: RepairAction;
  explanation: string;
}

/** Least-squares slope (units per second) and R² of a series. */
export function linearTrend(samples: readonly Sample[]): { slope: number; r2: number } {
  const n = samples.length;
  if (n < 2) return { slope: 0, r2: 0 };
  let st = 0;
  let sv = 0;
  for (const s of samples) {
    st += s.t;
    sv += s.value;
  }
  const mt = st / n;
  const mv = sv / n;
  let stt = 0;
  let stv = 0;
  let svv = 0;
  for (const s of samples) {
    stt += (s.t - mt) ** 2;
    stv += (s.t - mt) * (s.value - mv);
    svv += (s.value - mv) ** 2;
  }
  if (stt === 0) return { slope: 0, r2: 0 };
  const slope = stv / stt;
  const r2 = svv === 0 ? 0 : (stv * stv) / (stt * svv);
  return { slope, r2 };
}

function aggregate(kind: Condition['aggregate'], values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  switch (kind) {
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'max':
      return sorted[sorted.length - 1];
    case 'min':
      return sorted[0];
    case 'last':
      return values[values.length - 1];
    case 'p95':
      return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
    case 'slope':
      return NaN;
  }
}

const compare = (op: Condition['operator'], a: number, b: number): boolean => (op === '>' ? a > b : op === '>=' ? a >= b : op === '<' ? a < b : a <= b);

function evaluateCondition(c: Condition, series: Sample[] | undefined, now: number): ConditionEvidence | null {
  const window = (series ?? []).filter((s) => s.t > now - c.windowSec && s.t <= now);
  if (!window.length) return null;
  let value: number;
  let r2: number | undefined;
  let consistency: number;
  if (c.aggregate === 'slope') {
    const trend = linearTrend(window);
    value = trend.slope;
    r2 = trend.r2;
    consistency = r2;
  } else {
    value = aggregate(c.aggregate, window.map((s) => s.value));
    consistency = window.filter((s) => compare(c.operator, s.value, c.threshold)).length / window.length;
  }
  const met = compare(c.operator, value, c.threshold) && (c.minR2 === undefined || (r2 ?? 0) >= c.minR2);
  return { metric: c.metric, aggregate: c.aggregate, value, threshold: c.threshold, samples: window.length, r2, met, consistency };
}

/**
 * Confidence of a fired condition, in [0, 1]: the product of
 *  - exceedance: how far past the threshold, relative to the threshold's magnitude, saturating
 *    (1 − e^(−20·|v − θ| / max(|θ|, 1)); 5 % past the threshold gives 0.63, 15 % gives 0.95);
 *  - consistency: the share of samples that violate the threshold on their own (for slopes: R²),
 *    so one spike averaged in does not look like a sustained problem;
 *  - support: min(1, samples / (2 · minSamples)), so thin windows are trusted less.
 * A rule's confidence is the minimum over its conditions for `all`, the maximum for `any`.
 */
export function conditionConfidence(e: ConditionEvidence, minSamples: number): number {
  if (!e.met) return 0;
  const exceed = 1 - Math.exp((-20 * Math.abs(e.value - e.threshold)) / Math.max(Math.abs(e.threshold), 1));
  const support = Math.min(1, e.samples / (2 * minSamples));
  return Math.max(0, Math.min(1, exceed * Math.max(e.consistency, 0) * support));
}

export function evaluateRules(rules: readonly DiagnosisRule[], targets: readonly TargetMetrics[], now: number): Diagnosis[] {
  const out: Diagnosis[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    for (const tm of targets) {
      if (tm.target.kind !== rule.target) continue;
      const evidence = rule.conditions.map((c) => evaluateCondition(c, tm.series[c.metric], now));
      if (evidence.some((e) => e === null || e.samples < rule.minSamples)) continue;
      const ev = evidence as ConditionEvidence[];
      const fired = rule.match === 'all' ? ev.every((e) => e.met) : ev.some((e) => e.met);
      if (!fired) continue;
      const scores = ev.map((e) => conditionConfidence(e, rule.minSamples));
      const confidence = rule.match === 'all' ? Math.min(...scores) : Math.max(...scores);
      const ids = tm.target.kind === 'node' ? { nodeId: tm.target.nodeId } : { queue: tm.target.queue };
      const action = RepairActionSchema.parse(instantiateAction(rule.action, ids));
      const what = ev
        .filter((e) => e.met)
        .map((e) => `${e.aggregate}(${e.metric}) = ${round(e.value)} vs ${e.threshold} over ${e.samples} samples${e.r2 !== undefined ? `, R² ${round(e.r2)}` : ''}`)
        .join('; ');
      out.push({ ruleId: rule.id, ruleName: rule.name, target: tm.target, confidence, evidence: ev, action, explanation: `${rule.name} on ${tm.target.kind} ${Object.values(ids)[0]}: ${what}` });
    }
  }
  return out.sort((a, b) => b.confidence - a.confidence);
}

const round = (x: number) => Math.round(x * 1000) / 1000;
