import type { z } from 'zod';
import { formatZodIssues } from '@kairos/contracts';
import { GatewayError } from '../errors/gateway.errors';

/** Parses an HTTP body or query against a contract schema; a 400 names every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = formatZodIssues(r.error);
  throw new GatewayError('VALIDATION_FAILED', `invalid ${what}: ${issues.join('; ')}`, { issues });
}
