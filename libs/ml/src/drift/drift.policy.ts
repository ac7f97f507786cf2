import { DriftError } from './drift.errors';

export type DriftDecision = 'none' | 'alert' | 'retrain';

/**
 * Thresholds that turn drift statistics into a decision. Plain validated data, so the analyzer can
 * load it from config and record it with every report.
 */
export interface DriftPolicy {
  /** A feature drifts when PSI exceeds this (0.2: the conventional "significant shift"). */
  readonly psiThreshold: number;
  /** …or when the KS p-value falls below this… */
  readonly ksPValueThreshold: number;
  /**
   * …and D is at least this. With tens of thousands of live points KS rejects for shifts too small
   * to matter; this effect-size floor keeps p-values from alerting on noise. 0 disables it.
   */
  readonly ksMinStatistic: number;
  /** Bins for PSI, from reference quantiles. */
  readonly psiBins: number;
  /** A feature with fewer live points is reported but not judged (PSI on a handful of points is noise). */
  readonly minLiveSamples: number;
  /** Live MAE / validation MAE above this raises an alert… */
  readonly errorAlertRatio: number;
  /** …and above this asks for retraining. */
  readonly errorRetrainRatio: number;
  /** Fewer live outcomes than this and the error ratio is reported but not judged. */
  readonly minErrorSamples: number;
  /** Retrain on input drift alone when at least this share of features drifted (1.01: never). */
  readonly retrainDriftedFeatureShare: number;
}

export const DEFAULT_DRIFT_POLICY: DriftPolicy = {
  psiThreshold: 0.2,
  ksPValueThreshold: 0.01,
  ksMinStatistic: 0.1,
  psiBins: 10,
  minLiveSamples: 100,
  errorAlertRatio: 1.2,
  errorRetrainRatio: 1.5,
  minErrorSamples: 50,
  retrainDriftedFeatureShare: 0.5,
};

/** Fills defaults and checks ranges; INVALID_POLICY names the field. */
export function makeDriftPolicy(overrides: Partial<DriftPolicy> = {}): DriftPolicy {
  const policy: DriftPolicy = { ...DEFAULT_DRIFT_POLICY, ...overrides };
  const check = (field: keyof DriftPolicy, ok: boolean, rule: string): void => {
    if (!ok) throw new DriftError('INVALID_POLICY', `drift policy ${field} = ${String(policy[field])}: ${rule}`, { field });
  };
  const finite = (x: number): boolean => Number.isFinite(x);
  check('psiThreshold', finite(policy.psiThreshold) && policy.psiThreshold > 0, 'must be > 0');
  check('ksPValueThreshold', policy.ksPValueThreshold > 0 && policy.ksPValueThreshold < 1, 'must be in (0, 1)');
  check('ksMinStatistic', policy.ksMinStatistic >= 0 && policy.ksMinStatistic < 1, 'must be in [0, 1)');
  check('psiBins', Number.isInteger(policy.psiBins) && policy.psiBins >= 2, 'must be an integer ≥ 2');
  check('minLiveSamples', Number.isInteger(policy.minLiveSamples) && policy.minLiveSamples >= 1, 'must be an integer ≥ 1');
  check('errorAlertRatio', finite(policy.errorAlertRatio) && policy.errorAlertRatio > 0, 'must be > 0');
  check('errorRetrainRatio', finite(policy.errorRetrainRatio) && policy.errorRetrainRatio >= policy.errorAlertRatio, 'must be ≥ errorAlertRatio');
  check('minErrorSamples', Number.isInteger(policy.minErrorSamples) && policy.minErrorSamples >= 0, 'must be an integer ≥ 0');
  check('retrainDriftedFeatureShare', policy.retrainDriftedFeatureShare > 0, 'must be > 0');
  return policy;
}

/** Per-feature verdict from its statistics. */
export function isFeatureDrifted(
  stats: { readonly psi: number; readonly ks: number; readonly pValue: number },
  policy: DriftPolicy,
): boolean {
  return stats.psi > policy.psiThreshold || (stats.pValue < policy.ksPValueThreshold && stats.ks >= policy.ksMinStatistic);
}

/** Level of the live/validation error ratio. */
export function errorDriftLevel(ratio: number, policy: DriftPolicy): DriftDecision {
  if (ratio > policy.errorRetrainRatio) return 'retrain';
  if (ratio > policy.errorAlertRatio) return 'alert';
  return 'none';
}

/**
 * Overall decision: retrain when the error ratio says so or when enough features drifted; alert on
 * any drifted feature or an elevated error ratio; none otherwise. Reasons are for the audit trail.
 */
export function decideDrift(
  input: {
    readonly driftedFeatures: readonly string[];
    readonly judgedFeatureCount: number;
    readonly errorLevel?: DriftDecision;
    readonly errorRatio?: number;
  },
  policy: DriftPolicy,
): { decision: DriftDecision; reasons: string[] } {
  const reasons: string[] = [];
  let decision: DriftDecision = 'none';
  const raise = (to: DriftDecision): void => {
    if (to === 'retrain' || (to === 'alert' && decision === 'none')) decision = to;
  };
  const drifted = input.driftedFeatures.length;
  if (drifted > 0) {
    const share = input.judgedFeatureCount > 0 ? drifted / input.judgedFeatureCount : 0;
    reasons.push(`input drift on ${drifted}/${input.judgedFeatureCount} features: ${input.driftedFeatures.join(', ')}`);
    raise(share >= policy.retrainDriftedFeatureShare ? 'retrain' : 'alert');
    if (share >= policy.retrainDriftedFeatureShare) {
      reasons.push(`drifted share ${share.toFixed(2)} ≥ ${policy.retrainDriftedFeatureShare}`);
    }
  }
  if (input.errorLevel && input.errorLevel !== 'none' && input.errorRatio !== undefined) {
    const limit = input.errorLevel === 'retrain' ? policy.errorRetrainRatio : policy.errorAlertRatio;
    reasons.push(`live MAE is ${input.errorRatio.toFixed(2)}× validation MAE (> ${limit})`);
    raise(input.errorLevel);
  }
  return { decision, reasons };
}
