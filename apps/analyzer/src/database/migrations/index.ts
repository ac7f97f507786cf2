import { Analyzer1732350006000 } from './1732350006000-analyzer';
import { StageChangeGate1732350019000 } from './1732350019000-stage-change-gate';
import { EstimateFeatures1732350023000 } from './1732350023000-estimate-features';

/** The analyzer's own migrations (model registry, outcomes, drift, diagnosis, ticks); never edit or rename a landed one. */
export const ANALYZER_MIGRATIONS = [Analyzer1732350006000, StageChangeGate1732350019000, EstimateFeatures1732350023000];
