import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumerOptions } from '@kairos/bus';
import type { Envelope } from '@kairos/contracts';
import { MetricService } from './metric.service';

/** Consumer group `collector` (one group for all the collector's topics: replicas share the partitions). */
export const COLLECTOR_GROUP: ConsumerOptions = { group: 'collector' };

@Controller()
export class MetricSamplesConsumer {
  constructor(private readonly metrics: MetricService) {}

  @EventPattern('metrics.sampled.v1', COLLECTOR_GROUP)
  async onSampled(@Payload() e: Envelope<'metrics.sampled.v1'>): Promise<void> {
    await this.metrics.record(e);
  }
}
