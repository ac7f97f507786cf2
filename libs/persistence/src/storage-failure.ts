/**
 * Storage failures: errors that say the database cannot take writes or cannot be reached, as opposed to
 * errors about a statement or its data. The API answers them 503 with Retry-After and a stable code,
 * and /health reports the database down while they last.
 */

export type StorageFailureCode = 'STORAGE_FULL' | 'STORAGE_UNAVAILABLE';

export interface StorageFailure {
  code: StorageFailureCode;
  /** SQLSTATE, errno or a short cause ("connection terminated"), for logs and /health. */
  cause: string;
  /** Seconds a client should wait before retrying. */
  retryAfterSeconds: number;
}

const FULL = (cause: string): StorageFailure => ({ code: 'STORAGE_FULL', cause, retryAfterSeconds: 30 });
const UNAVAILABLE = (cause: string): StorageFailure => ({ code: 'STORAGE_UNAVAILABLE', cause, retryAfterSeconds: 5 });

/** SQLSTATEs (PostgreSQL appendix A) that are the server's condition, not the statement's fault. */
const UNAVAILABLE_SQLSTATES = new Set([
  '53000', // insufficient_resources
  '53200', // out_of_memory
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '58000', // system_error
  '58030', // io_error
]);

const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** node-postgres' own messages when a connection cannot be made or dies. */
const CONNECTION_MESSAGES: Array<[RegExp, string]> = [
  [/Connection terminated/i, 'connection terminated'],
  [/timeout exceeded when trying to connect/i, 'connect timeout'],
  [/Client has encountered a connection error/i, 'connection error'],
  [/Connection is not established|Cannot use a pool after calling end/i, 'no connection'],
];

/** The failure an error means, or null when it is not a storage failure (walks driverError and cause). */
export function classifyStorageFailure(err: unknown, depth = 0): StorageFailure | null {
  if (!err || typeof err !== 'object' || depth > 4) return null;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (code === '53100' || code === 'ENOSPC' || /No space left on device/i.test(message)) return FULL(code || 'ENOSPC');
  if (UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return UNAVAILABLE(code);
  if (NETWORK_ERRNOS.has(code)) return UNAVAILABLE(code);
  for (const [re, cause] of CONNECTION_MESSAGES) if (re.test(message)) return UNAVAILABLE(cause);
  const nested = [e.driverError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  for (const n of nested) {
    const f = classifyStorageFailure(n, depth + 1);
    if (f) return f;
  }
  return null;
}

/**
 * What the process last saw of its storage, for /health (a `SELECT 1` still answers on a full disk).
 * - STORAGE_FULL holds for `fullHoldMs` after the last disk-full error, whatever succeeds meanwhile: on
 *   a full disk writes that fit in existing pages still go through, so a success proves nothing.
 * - STORAGE_UNAVAILABLE holds until a statement succeeds again (the server is reachable again).
 */
export class StorageHealth {
  private full: (StorageFailure & { at: number }) | null = null;
  private unavailable: (StorageFailure & { at: number }) | null = null;

  constructor(
    private readonly now: () => number = Date.now,
    readonly fullHoldMs = 30_000,
  ) {}

  failed(f: StorageFailure): void {
    if (f.code === 'STORAGE_FULL') this.full = { ...f, at: this.now() };
    else this.unavailable = { ...f, at: this.now() };
  }

  /** A statement went through: the server is reachable. */
  succeeded(): void {
    this.unavailable = null;
  }

  /** The failure that makes storage down now, or null. */
  current(): (StorageFailure & { at: number }) | null {
    if (this.full && this.now() - this.full.at <= this.fullHoldMs) return this.full;
    return this.unavailable;
  }
}
