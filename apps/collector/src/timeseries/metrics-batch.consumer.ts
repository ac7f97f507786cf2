import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Envelope } from '@kairos/contracts';
import { COLLECTOR_GROUP } from '../metrics/metric-samples.consumer';
import { IngestService } from './ingest.service';

/**
 * Messages of one partition handled at once. Storing a batch is idempotent and independent of order
 * (a point's identity is series + ts), so the messages in flight are group-committed together; the
 * bus still commits an offset only once that message and all before it are durable.
 */
export const METRICS_BATCH_IN_FLIGHT = 32;

/**
 * metrics.batch.v1 in consumer group `collector`. The handler resolves only after the batch's valid
 * points are durable and its invalid ones are on the dead-letter topic, so the bus commits the offset
 * only then; a crash before that replays the message, which stores nothing twice.
 */
@Controller()
export class MetricsBatchConsumer {
  constructor(private readonly ingest: IngestService) {}

  @EventPattern('metrics.batch.v1', { ...COLLECTOR_GROUP, inFlightPerPartition: METRICS_BATCH_IN_FLIGHT })
  async onBatch(@Payload() e: Envelope<'metrics.batch.v1'>): Promise<void> {
    await this.ingest.ingest(e.eventId, e.payload);
  }
}
