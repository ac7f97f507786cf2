import { Module } from '@nestjs/common';
import { EventLogModule } from './event-log/event-log.module';
import { MetricsModule } from './metrics/metrics.module';
import { TimeseriesModule } from './timeseries/timeseries.module';

/**
 * The collector: metric samples and roll-ups, time series from metrics.batch.v1 (timeseries/), and the
 * event log. Tables: metric_samples, metric_rollups, event_log, metric_series, metric_points, metric_rollups_{1m,5m,1h}, metric_rollup_dirty.
 */
@Module({ imports: [MetricsModule, TimeseriesModule, EventLogModule] })
export class CollectorModule {}

export { COLLECTOR_MIGRATIONS } from './database/migrations';
