// Model registry rows: each version with its stage, offline validation metrics, live accuracy (MAE,
// p90 coverage from GET /api/models/:name/accuracy) and latest drift decision, and which of deploy /
// rollback the registry would accept — the buttons still call the API, whose refusal is shown.
import type { DriftReport, ModelAccuracy, ModelVersion } from '../api/api-types';

export interface VersionRow {
  version: number;
  stage: string;
  createdAt: string;
  createdBy: string;
  notes: string | null;
  validationMaeMs: number | null;
  baselineMaeMs: number | null;
  validationP90Coverage: number | null;
  liveCount: number;
  liveMaeMs: number | null;
  liveP90Coverage: number | null;
  liveBiasMs: number | null;
  drift: { decision: string; reasons: string[]; at: string } | null;
  canDeploy: boolean;
}

const metric = (m: Record<string, number>, k: string): number | null => (typeof m[k] === 'number' && Number.isFinite(m[k]) ? m[k] : null);

/** Newest version first. */
export function versionRows(versions: readonly ModelVersion[], accuracy: ModelAccuracy | undefined, drift: readonly DriftReport[] | undefined): VersionRow[] {
  return [...versions]
    .sort((a, b) => b.version - a.version)
    .map((v): VersionRow => {
      const live = accuracy?.versions.find((a) => Number(a.version) === v.version);
      const latestDrift = (drift ?? []).filter((r) => r.version === v.version).sort((a, b) => b.assessedAt.localeCompare(a.assessedAt))[0];
      return {
        version: v.version,
        stage: v.stage,
        createdAt: v.createdAt,
        createdBy: v.createdBy,
        notes: v.notes,
        validationMaeMs: metric(v.metrics, 'validationMaeMs'),
        baselineMaeMs: metric(v.metrics, 'baselineMaeMs'),
        validationP90Coverage: metric(v.metrics, 'p90Coverage'),
        liveCount: live?.count ?? 0,
        liveMaeMs: live?.mae ?? null,
        liveP90Coverage: live?.p90Coverage ?? null,
        liveBiasMs: live?.bias ?? null,
        drift: latestDrift ? { decision: latestDrift.decision, reasons: latestDrift.reasons, at: latestDrift.assessedAt } : null,
        canDeploy: v.stage !== 'production',
      };
    });
}

/** Rollback restores the version before production; it needs a production version to archive. */
export function canRollback(versions: readonly ModelVersion[]): boolean {
  return versions.some((v) => v.stage === 'production');
}
