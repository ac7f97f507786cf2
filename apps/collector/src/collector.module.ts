import { Module } from '@nestjs/common';
import type { MigrationClass } from '@kairos/persistence';
import { EventLogModule } from './event-log/event-log.module';
import { MetricsModule } from './metrics/metrics.module';

/** The collector: metric samples and roll-ups, and the event log. Tables: metric_samples, metric_rollups, event_log. */
@Module({ imports: [MetricsModule, EventLogModule] })
export class CollectorModule {}

/** The collector's own migrations: none beyond the baseline (its tables are in libs/persistence's CoreTables and EventLog). */
export const COLLECTOR_MIGRATIONS: MigrationClass[] = [];
