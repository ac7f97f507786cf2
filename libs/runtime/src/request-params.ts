import { HttpException } from '@nestjs/common';
import type { z } from 'zod';
import { formatZodIssues } from '@kairos/contracts';

/**
 * A 400 for a bad path or query parameter, in every service (the gateway and the analyzer have their
 * own domain errors for bodies; the collector and executor have none). HttpErrorFilter answers it as
 * `{ error: 'VALIDATION_FAILED', message, details: { issues } }`.
 */
export class RequestParamError extends HttpException {
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super({ message, issues }, 400);
  }
}

/**
 * Parses one path parameter (`field` names it in the answer: `task id: must be a UUID`) or a query
 * object (`query.limit: must be at most 1000`). Use the builders of libs/contracts params.schema.
 */
export function parseParam<S extends z.ZodType>(schema: S, input: unknown, field: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = formatZodIssues(r.error).map((i) => {
    if (!i.startsWith('(root): ')) return `${field}.${i}`;
    const message = i.slice('(root): '.length);
    return message.startsWith(`${field} `) ? message : `${field}: ${message}`;
  });
  throw new RequestParamError(`invalid ${field}: ${issues.join('; ')}`, issues);
}
