import { Analyzer1732350006000 } from './1732350006000-analyzer';

/** The analyzer's own migrations (model registry, outcomes, drift, diagnosis, ticks); never edit or rename a landed one. */
export const ANALYZER_MIGRATIONS = [Analyzer1732350006000];
