import { z } from 'zod';
import { EnvelopeSchema } from './envelope';
import { MetricsBatchSchema } from './metrics-batch.schema';

// Separate from metrics-batch.schema.ts: topics.ts imports that file, and envelope.ts imports topics.ts.

/** The whole Kafka message value of metrics.batch.v1: the Kairos envelope around a strict batch. */
export const MetricsBatchMessageSchema = EnvelopeSchema.extend({ topic: z.literal('metrics.batch.v1'), payload: MetricsBatchSchema });

/** JSON Schema (draft 2020-12) of one metrics.batch.v1 Kafka message, as written to libs/contracts/schemas/. */
export function metricsBatchJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://kairos.dev/schemas/metrics.batch.v1.json',
    title: 'metrics.batch.v1',
    description:
      'One Kafka message on topic metrics.batch.v1 (key: any string, e.g. the source; value: this JSON). Generated from libs/contracts/src/metrics-batch.schema.ts by `npm run gen:schemas`; do not edit.',
    ...(z.toJSONSchema(MetricsBatchMessageSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>),
  };
}
