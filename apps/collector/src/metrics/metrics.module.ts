import { Module } from '@nestjs/common';
import { CollectorCoreModule } from '../core/collector-core.module';
import { MetricSamplesConsumer } from './metric-samples.consumer';
import { METRIC_REPOSITORY, PgMetricRepository } from './metric.repository';
import { MetricService } from './metric.service';
import { MetricsController } from './metrics.controller';

@Module({
  imports: [CollectorCoreModule],
  controllers: [MetricsController, MetricSamplesConsumer],
  providers: [MetricService, { provide: METRIC_REPOSITORY, useClass: PgMetricRepository }],
})
export class MetricsModule {}
