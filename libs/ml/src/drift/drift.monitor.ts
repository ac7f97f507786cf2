import { DriftError } from './drift.errors';
import {
  DEFAULT_DRIFT_POLICY,
  decideDrift,
  errorDriftLevel,
  isFeatureDrifted,
  makeDriftPolicy,
  type DriftDecision,
  type DriftPolicy,
} from './drift.policy';
import { ksTestOfSorted } from './kolmogorov-smirnov.statistic';
import { binFractions, psiFromFractions } from './psi.statistic';
import { buildReferenceProfile, requireColumn, type FeatureColumns, type ReferenceProfile } from './reference-profile.model';
import { sortedSample } from './sorted-sample';

export interface FeatureDriftResult {
  readonly feature: string;
  readonly psi: number;
  /** KS statistic D. */
  readonly ks: number;
  readonly pValue: number;
  readonly referenceCount: number;
  readonly liveCount: number;
  /** False when the live sample was too small to judge (see `judged`). */
  readonly drifted: boolean;
  readonly judged: boolean;
}

/** Prediction error of the live model against its validation error at training time. */
export interface ErrorObservation {
  readonly validationMae: number;
  readonly liveMae: number;
  /** Live outcomes behind `liveMae`; judged only when ≥ policy.minErrorSamples. */
  readonly liveCount: number;
}

export interface ErrorDriftResult extends ErrorObservation {
  readonly ratio: number;
  readonly level: DriftDecision;
  readonly judged: boolean;
}

export interface DriftReport {
  readonly features: readonly FeatureDriftResult[];
  readonly driftedFeatures: readonly string[];
  readonly error?: ErrorDriftResult;
  readonly decision: DriftDecision;
  readonly reasons: readonly string[];
  readonly policy: DriftPolicy;
}

/**
 * Compares a live window with the reference (training) window, per feature (PSI and two-sample KS)
 * and on error (live MAE vs validation MAE), and decides none | alert | retrain by its policy.
 * Pure and deterministic: same inputs, same report. Raising the event and scheduling the retrain is
 * the analyzer's job.
 */
export class DriftMonitor {
  readonly policy: DriftPolicy;

  constructor(policy: Partial<DriftPolicy> = DEFAULT_DRIFT_POLICY) {
    this.policy = makeDriftPolicy(policy);
  }

  /** Builds the reference profile this monitor's policy expects (same PSI bins). */
  profile(reference: FeatureColumns, features: readonly string[], maxSamples?: number): ReferenceProfile {
    return buildReferenceProfile(reference, features, { bins: this.policy.psiBins, ...(maxSamples ? { maxSamples } : {}) });
  }

  assess(reference: ReferenceProfile, live: FeatureColumns, error?: ErrorObservation): DriftReport {
    const features = reference.features.map((ref): FeatureDriftResult => {
      const cur = sortedSample(requireColumn(live, ref.name, 'live'), `live feature ${ref.name}`);
      const { psi } = psiFromFractions(ref.edges, ref.fractions, binFractions(cur, ref.edges));
      const ks = ksTestOfSorted(ref.sorted, cur);
      const judged = cur.length >= this.policy.minLiveSamples;
      const stats = { psi, ks: ks.statistic, pValue: ks.pValue };
      return {
        feature: ref.name,
        ...stats,
        referenceCount: ref.count,
        liveCount: cur.length,
        judged,
        drifted: judged && isFeatureDrifted(stats, this.policy),
      };
    });
    const errorResult = error ? this.assessError(error) : undefined;
    const driftedFeatures = features.filter((f) => f.drifted).map((f) => f.feature);
    const { decision, reasons } = decideDrift(
      {
        driftedFeatures,
        judgedFeatureCount: features.filter((f) => f.judged).length,
        ...(errorResult?.judged ? { errorLevel: errorResult.level, errorRatio: errorResult.ratio } : {}),
      },
      this.policy,
    );
    return {
      features,
      driftedFeatures,
      ...(errorResult ? { error: errorResult } : {}),
      decision,
      reasons,
      policy: this.policy,
    };
  }

  /** Convenience: profile the reference columns and assess in one call. */
  compare(reference: FeatureColumns, live: FeatureColumns, features: readonly string[], error?: ErrorObservation): DriftReport {
    return this.assess(this.profile(reference, features), live, error);
  }

  private assessError(error: ErrorObservation): ErrorDriftResult {
    const { validationMae, liveMae, liveCount } = error;
    if (!(validationMae > 0) || !Number.isFinite(validationMae) || !(liveMae >= 0) || !Number.isFinite(liveMae)) {
      throw new DriftError(
        'INVALID_OBSERVATION',
        `error drift needs validationMae > 0 and liveMae ≥ 0, got ${validationMae} and ${liveMae}`,
        { validationMae, liveMae },
      );
    }
    const ratio = liveMae / validationMae;
    const judged = liveCount >= this.policy.minErrorSamples;
    return { validationMae, liveMae, liveCount, ratio, judged, level: judged ? errorDriftLevel(ratio, this.policy) : 'none' };
  }
}
