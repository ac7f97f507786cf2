/**
 * Every failure of a Kairos API call, as one class with a stable `code`:
 * - API_ERROR: the server answered with an error status; `status`, `serverCode`, `details` carry its
 *   `{ error, message, details }` body (or a summary of a non-JSON body, e.g. from a proxy).
 * - UNREACHABLE: no answer at all (connection refused, DNS, reset).
 * - TIMEOUT: no answer within the request timeout.
 * - BAD_RESPONSE: a 2xx answer whose body is not what the API promises.
 */
export type KairosClientErrorCode = 'API_ERROR' | 'UNREACHABLE' | 'TIMEOUT' | 'BAD_RESPONSE';

export interface KairosClientErrorInit {
  method: string;
  url: string;
  status?: number;
  serverCode?: string;
  details?: Record<string, unknown>;
  /** Milliseconds the server asked us to wait (Retry-After), when it said. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class KairosClientError extends Error {
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  /** The server's stable error code (`VALIDATION_FAILED`, `KEY_UNKNOWN`, `TASK_NOT_FOUND`, …). */
  readonly serverCode: string | undefined;
  readonly details: Record<string, unknown>;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: KairosClientErrorCode,
    message: string,
    init: KairosClientErrorInit,
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'KairosClientError';
    this.method = init.method;
    this.url = init.url;
    this.status = init.status;
    this.serverCode = init.serverCode;
    this.details = init.details ?? {};
    this.retryAfterMs = init.retryAfterMs;
  }

  /** 401 or 403: no key, a bad or revoked key, or a key without the scope the route needs. */
  get isAuthError(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /** 404 because the route does not exist on this server (not because a resource is missing). */
  get isRouteMissing(): boolean {
    return this.status === 404 && (this.serverCode === undefined || this.serverCode === 'NOT_FOUND');
  }
}
