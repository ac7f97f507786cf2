import { Module } from '@nestjs/common';
import { CollectorCoreModule } from '../core/collector-core.module';
import { IngestService } from './ingest.service';
import { MetricsBatchConsumer } from './metrics-batch.consumer';
import { MetricsBatchController } from './metrics-batch.controller';
import { MetricsQueryController } from './metrics-query.controller';
import { TimeseriesQueryService } from './query.service';
import { PgTimeseriesRepository, TIMESERIES_REPOSITORY } from './timeseries.repository';

/** Time series from metrics.batch.v1 and POST /api/metrics/batch (tables: metric_series, metric_points, metric_rollups_{1m,5m,1h}, metric_rollup_dirty). */
@Module({
  imports: [CollectorCoreModule],
  controllers: [MetricsBatchController, MetricsQueryController, MetricsBatchConsumer],
  providers: [IngestService, TimeseriesQueryService, { provide: TIMESERIES_REPOSITORY, useClass: PgTimeseriesRepository }],
  exports: [IngestService, TimeseriesQueryService],
})
export class TimeseriesModule {}
