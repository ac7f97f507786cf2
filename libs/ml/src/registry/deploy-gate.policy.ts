import type { ModelMetrics } from './model-version.model';

/**
 * Deploy gate: a candidate may become production only when its validation error beats both the current
 * production version and the strongest simple baseline by a margin. Pure: the registry applies it on
 * promote, automatic retraining calls the same `evaluateDeployGate` before it asks to deploy.
 *
 * All metrics are errors (lower is better) read from the versions' recorded `metrics`. The fair comparison
 * with production is on the candidate's own validation rows: a trainer that scores the production model
 * there records it under `productionMetric` in the candidate's metrics; without it the gate falls back to
 * the production version's own recorded `metric` (measured on its older validation window) and says so.
 */
export interface DeployGatePolicy {
  /** The candidate's validation error, e.g. 'validationMaeMs'. */
  readonly metric: string;
  /** The strongest baseline's error on the same validation rows, in the candidate's metrics, e.g. 'baselineMaeMs'. */
  readonly baselineMetric: string;
  /** Production's error on the candidate's validation rows, in the candidate's metrics, when the trainer measured it. */
  readonly productionMetric: string;
  /** Candidate must be ≤ (1 − margin) × production's error (0 = not worse). */
  readonly marginVsProduction: number;
  /** Candidate must be ≤ (1 − margin) × the baseline's error. */
  readonly marginVsBaseline: number;
}

export const DEFAULT_DEPLOY_GATE_POLICY: DeployGatePolicy = {
  metric: 'validationMaeMs',
  baselineMetric: 'baselineMaeMs',
  productionMetric: 'productionMaeMs',
  marginVsProduction: 0.02,
  marginVsBaseline: 0.02,
};

export type DeployGateErrorCode = 'DEPLOY_GATE_REFUSED' | 'INVALID_GATE_POLICY' | 'FORCE_REASON_REQUIRED';

/** One comparison the gate made. `limit` = (1 − margin) × reference; passed iff candidate ≤ limit. */
export interface DeployGateCheck {
  readonly against: 'production' | 'baseline';
  readonly metric: string;
  readonly candidate: number;
  readonly reference: number;
  readonly margin: number;
  readonly limit: number;
  /** candidate / reference. */
  readonly ratio: number;
  readonly passed: boolean;
  /** Where the reference came from. */
  readonly source: 'candidate-validation' | 'production-record';
}

export interface DeployGateVerdict {
  readonly deployable: boolean;
  readonly checks: readonly DeployGateCheck[];
  /** Human-readable: every failed check with its figures, or why it passed. */
  readonly summary: string;
}

/** Typed refusal (or misuse) of the gate; `verdict` names the failed metric and by how much. */
export class DeployGateError extends Error {
  constructor(
    readonly code: DeployGateErrorCode,
    message: string,
    readonly verdict?: DeployGateVerdict,
  ) {
    super(message);
    this.name = 'DeployGateError';
  }
}

export function isDeployGateError(error: unknown, code?: DeployGateErrorCode): error is DeployGateError {
  return error instanceof DeployGateError && (code === undefined || error.code === code);
}

export function validateDeployGatePolicy(p: DeployGatePolicy): void {
  const bad = (field: string, why: string): never => {
    throw new DeployGateError('INVALID_GATE_POLICY', `deploy gate policy: ${field} ${why}`);
  };
  for (const f of ['metric', 'baselineMetric', 'productionMetric'] as const) if (!p[f]) bad(f, 'must be a non-empty metric name');
  for (const f of ['marginVsProduction', 'marginVsBaseline'] as const) {
    if (!(p[f] >= 0 && p[f] < 1)) bad(f, `must be in [0, 1), got ${p[f]}`);
  }
}

interface GateSubject {
  readonly name: string;
  readonly version: number;
  readonly metrics: ModelMetrics;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/**
 * Pure verdict for `candidate` against `production` (undefined when nothing is deployed yet) and the
 * baseline recorded in the candidate's metrics. A missing candidate or baseline metric fails its check (a
 * candidate that was not measured is not deployable); no production version means no production check.
 */
export function evaluateDeployGate(candidate: GateSubject, production: GateSubject | undefined, policy: DeployGatePolicy = DEFAULT_DEPLOY_GATE_POLICY): DeployGateVerdict {
  validateDeployGatePolicy(policy);
  const value = candidate.metrics[policy.metric];
  const checks: DeployGateCheck[] = [];
  const problems: string[] = [];
  if (value === undefined || !Number.isFinite(value)) {
    problems.push(`${candidate.name}@${candidate.version} has no validation metric "${policy.metric}"`);
  }
  const cand = value ?? NaN;
  const check = (against: DeployGateCheck['against'], reference: number, margin: number, source: DeployGateCheck['source'], label: string): void => {
    const limit = (1 - margin) * reference;
    const passed = Number.isFinite(cand) && cand <= limit;
    checks.push({ against, metric: policy.metric, candidate: cand, reference, margin, limit, ratio: cand / reference, passed, source });
    if (!passed && Number.isFinite(cand)) {
      problems.push(
        `${policy.metric} ${fmt(cand)} is ${fmt(cand / reference, 3)} × ${label} (${fmt(reference)}); the gate needs ≤ ${fmt(1 - margin, 3)} × (${fmt(limit)}), ` +
          `i.e. ${fmt(cand - limit)} (${pct((cand - limit) / reference)} of it) too high`,
      );
    }
  };
  const baseline = candidate.metrics[policy.baselineMetric];
  if (baseline === undefined || !Number.isFinite(baseline) || baseline <= 0) {
    problems.push(`${candidate.name}@${candidate.version} has no baseline metric "${policy.baselineMetric}" to be compared with`);
    checks.push({ against: 'baseline', metric: policy.metric, candidate: cand, reference: NaN, margin: policy.marginVsBaseline, limit: NaN, ratio: NaN, passed: false, source: 'candidate-validation' });
  } else check('baseline', baseline, policy.marginVsBaseline, 'candidate-validation', `the strongest baseline`);
  if (production && production.version !== candidate.version) {
    const measured = candidate.metrics[policy.productionMetric];
    const recorded = production.metrics[policy.metric];
    if (measured !== undefined && Number.isFinite(measured) && measured > 0) {
      check('production', measured, policy.marginVsProduction, 'candidate-validation', `production ${production.name}@${production.version} on the same validation rows`);
    } else if (recorded !== undefined && Number.isFinite(recorded) && recorded > 0) {
      check('production', recorded, policy.marginVsProduction, 'production-record', `production ${production.name}@${production.version}'s recorded error (its own validation window)`);
    } else {
      problems.push(`production ${production.name}@${production.version} has no "${policy.metric}" to compare with`);
      checks.push({ against: 'production', metric: policy.metric, candidate: cand, reference: NaN, margin: policy.marginVsProduction, limit: NaN, ratio: NaN, passed: false, source: 'production-record' });
    }
  }
  const deployable = problems.length === 0;
  const summary = deployable
    ? `${candidate.name}@${candidate.version} passes the deploy gate: ${checks.map((c) => `${fmt(c.ratio, 3)} × ${c.against}`).join(', ')}`
    : `${candidate.name}@${candidate.version} refused by the deploy gate: ${problems.join('; ')}`;
  return { deployable, checks, summary };
}

/** Throws DEPLOY_GATE_REFUSED with the verdict when the candidate does not pass. */
export function assertDeployable(candidate: GateSubject, production: GateSubject | undefined, policy: DeployGatePolicy = DEFAULT_DEPLOY_GATE_POLICY): DeployGateVerdict {
  const verdict = evaluateDeployGate(candidate, production, policy);
  if (!verdict.deployable) throw new DeployGateError('DEPLOY_GATE_REFUSED', verdict.summary, verdict);
  return verdict;
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}
