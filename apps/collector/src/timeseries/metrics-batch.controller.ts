import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { formatZodIssues, MetricsBatchSchema, MetricsBatchWireSchema } from '@kairos/contracts';
import { RequireScope } from '@kairos/runtime';
import { IngestService, type IngestResult } from './ingest.service';

/** POST /api/metrics/batch: the metrics.batch.v1 payload over HTTP, for producers without Kafka. */
@ApiTags('metrics')
@Controller('api/metrics')
export class MetricsBatchController {
  constructor(private readonly ingest: IngestService) {}

  @Post('batch')
  @HttpCode(202)
  @RequireScope('submit')
  @ApiOperation({ summary: 'Store a batch of metric points; invalid points are rejected (and dead-lettered) one by one, the rest stored' })
  @ApiBody({ schema: z.toJSONSchema(MetricsBatchSchema, { io: 'input' }) as object })
  async batch(@Body() body: unknown): Promise<IngestResult> {
    const parsed = MetricsBatchWireSchema.safeParse(body);
    if (!parsed.success) throw new BadRequestException(`invalid metrics batch: ${formatZodIssues(parsed.error).join('; ')}`);
    return this.ingest.ingest(randomUUID(), parsed.data);
  }
}
