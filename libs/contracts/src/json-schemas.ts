import { metricsBatchJsonSchema } from './metrics-batch.json-schema';

/** File name under libs/contracts/schemas/ → its exact text (2-space JSON, trailing newline). */
export function GENERATED_JSON_SCHEMAS(): Record<string, string> {
  return { 'metrics.batch.v1.json': `${JSON.stringify(metricsBatchJsonSchema(), null, 2)}\n` };
}
