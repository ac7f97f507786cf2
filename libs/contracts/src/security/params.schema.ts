import { z } from 'zod';
import { INPUT_LIMITS } from './input-limits';
import { safeString } from './safe-string';

/**
 * Path and query parameters arrive as strings (express decodes `%00` to NUL, and repeats a query key
 * as an array). These builders accept exactly one well-formed string and say which field was wrong;
 * an array, an object (`?a[b]=1`) or a decoded NUL fails with a 400 instead of reaching SQL.
 *
 *   const Query = queryParams({ status: enumParam(TASK_STATUSES).optional(), limit: intParam({ min: 1, max: 1000, default: 100 }), cursor: cursorParam().optional() });
 *   const id = parseOrThrow(uuidParam('task id'), req.params.id, 'task id');
 */

const P = INPUT_LIMITS.param;

/** A UUID (any version, case-insensitive), e.g. a task or workflow id. */
export function uuidParam(what = 'id') {
  return z.string().max(36, { message: `${what} must be a UUID`, abort: true }).uuid(`${what} must be a UUID`);
}

/** One of a fixed set of values. */
export function enumParam<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values);
}

/** Free text (e.g. a name filter): bounded, no NUL or unpaired surrogate. */
export function textParam(maxBytes: number = P.textBytes) {
  return safeString({ maxBytes, minLength: 1 });
}

const INT = /^-?\d{1,15}$/;

/**
 * A decimal integer in [min, max]. Stricter than z.coerce: '', ' 5', '1e3', '0x10' and '5.0' are
 * refused rather than read as 0, 5, 1000, 16 and 5.
 */
export function intParam({ min, max, default: dflt }: { min: number; max: number; default?: number }) {
  const schema = z
    .string()
    .max(16, { message: 'must be an integer', abort: true })
    .regex(INT, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
  return dflt === undefined ? schema : schema.optional().transform((v) => v ?? dflt);
}

/** An opaque page cursor (base64url), as made by encodeCursor. */
export function cursorParam() {
  return z.string().max(P.cursorBytes, `must be at most ${P.cursorBytes} characters`).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by the previous page');
}

/** A query object: unknown parameters are refused (a typo is a 400, not a silently ignored filter). */
export function queryParams<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape).strict();
}

/** Cursor pagination: any JSON value (e.g. `{ createdAt, id }` of the last row) as an opaque URL-safe string. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The value inside a cursor, validated; null if it is not one this schema accepts (answer 400). */
export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.infer<S> | null {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const r = schema.safeParse(json);
  return r.success ? r.data : null;
}
