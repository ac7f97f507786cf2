/**
 * PostgreSQL errors that the client's data caused, as an HTTP answer instead of a 500. Schemas reject
 * these values first (NUL, lone surrogates, sizes: libs/contracts safeString and INPUT_LIMITS); this is
 * the net under them, so a value some schema forgot still gets a 4xx. The answer never carries the SQL
 * or its parameters (they hold whatever the client sent, secrets included).
 *
 * Not here: storage failures (disk full 53xxx, connection 08xxx, unavailable 57Pxx) are the server's
 * problem and answer 503 elsewhere.
 */
export interface ClientDataError {
  status: 400 | 409 | 413;
  code: 'VALIDATION_FAILED' | 'CONFLICT' | 'PAYLOAD_TOO_LARGE';
  message: string;
  sqlState: string;
}

const MESSAGES: Record<string, Omit<ClientDataError, 'sqlState'>> = {
  '22P05': { status: 400, code: 'VALIDATION_FAILED', message: 'a text value contains a character that cannot be stored (NUL or an unpaired surrogate)' },
  '22021': { status: 400, code: 'VALIDATION_FAILED', message: 'a text value is not valid UTF-8' },
  '22P02': { status: 400, code: 'VALIDATION_FAILED', message: 'a value has the wrong format for its field' },
  '22001': { status: 400, code: 'VALIDATION_FAILED', message: 'a text value is longer than its field allows' },
  '22003': { status: 400, code: 'VALIDATION_FAILED', message: 'a number is out of range for its field' },
  '22007': { status: 400, code: 'VALIDATION_FAILED', message: 'a date/time value has the wrong format' },
  '22008': { status: 400, code: 'VALIDATION_FAILED', message: 'a date/time value is out of range' },
  '22023': { status: 400, code: 'VALIDATION_FAILED', message: 'a parameter value is invalid' },
  '2202E': { status: 400, code: 'VALIDATION_FAILED', message: 'an array index is invalid' },
  '22004': { status: 400, code: 'VALIDATION_FAILED', message: 'a required value is null' },
  '23502': { status: 400, code: 'VALIDATION_FAILED', message: 'a required value is missing' },
  '23514': { status: 400, code: 'VALIDATION_FAILED', message: 'a value violates a constraint of its field' },
  '23505': { status: 409, code: 'CONFLICT', message: 'a record with this key already exists' },
  '23503': { status: 409, code: 'CONFLICT', message: 'the request refers to a record that does not exist (or is still referenced)' },
  '54000': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'a value is too large to store or index' },
};

function sqlStateOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = typeof e.driverError?.code === 'string' ? e.driverError.code : e.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The 4xx answer for a database error caused by client data, or null (a server-side failure). */
export function clientDataErrorOf(err: unknown): ClientDataError | null {
  const sqlState = sqlStateOf(err);
  if (sqlState === undefined) return null;
  const m = MESSAGES[sqlState];
  if (m) return { ...m, sqlState };
  // Other "data exception" class 22 errors are about values too.
  if (sqlState.startsWith('22')) return { status: 400, code: 'VALIDATION_FAILED', message: 'a value cannot be stored in its field', sqlState };
  return null;
}
