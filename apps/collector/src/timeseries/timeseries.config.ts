import type { KairosConfig } from '@kairos/platform';
import { DAY_MS, type PartitionedTable } from './partitions';

export interface TimeseriesSettings {
  tables: PartitionedTable[];
  /** Raw retention: points older than this are refused. */
  rawRetentionMs: number;
  maxFutureMs: number;
  rollupEveryMs: number;
  /** How far ahead partitions are created. */
  aheadMs: number;
}

/** The partitioned tables with their spans, and the retention of each resolution, from the METRICS_* variables. */
export function timeseriesSettings(c: Pick<KairosConfig, 'METRICS_RAW_RETENTION_DAYS' | 'METRICS_1M_RETENTION_DAYS' | 'METRICS_5M_RETENTION_DAYS' | 'METRICS_1H_RETENTION_DAYS' | 'METRICS_MAX_FUTURE_MS' | 'METRICS_ROLLUP_EVERY_MS'>): TimeseriesSettings {
  return {
    tables: [
      { table: 'metric_points', spanMs: DAY_MS, retentionMs: c.METRICS_RAW_RETENTION_DAYS * DAY_MS },
      { table: 'metric_rollups_1m', spanMs: DAY_MS, retentionMs: c.METRICS_1M_RETENTION_DAYS * DAY_MS },
      { table: 'metric_rollups_5m', spanMs: 7 * DAY_MS, retentionMs: c.METRICS_5M_RETENTION_DAYS * DAY_MS },
      { table: 'metric_rollups_1h', spanMs: 30 * DAY_MS, retentionMs: c.METRICS_1H_RETENTION_DAYS * DAY_MS },
    ],
    rawRetentionMs: c.METRICS_RAW_RETENTION_DAYS * DAY_MS,
    maxFutureMs: c.METRICS_MAX_FUTURE_MS,
    rollupEveryMs: c.METRICS_ROLLUP_EVERY_MS,
    aheadMs: 2 * DAY_MS,
  };
}
