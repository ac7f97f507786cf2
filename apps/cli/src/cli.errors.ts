import { KairosClientError } from '@kairos/client';

/**
 * Exit codes of `kairos` (stable; scripts rely on them):
 *   0 success
 *   1 the task or workflow ended unsuccessfully (failed, timed out, cancelled, upstream failed)
 *   2 usage: a bad flag, argument or input file, or a request the server rejected as invalid (400)
 *   3 no usable connection: server unreachable, no answer in time, or the key refused (401/403)
 *   4 the server refused otherwise: not found, conflict, a feature it lacks, server error
 *   5 gave up waiting (--wait-timeout) while the run goes on
 * 130 interrupted (Ctrl-C) while watching; the run goes on
 */
export const EXIT_CODES = { ok: 0, runFailed: 1, usage: 2, connection: 3, server: 4, waitTimeout: 5, interrupted: 130 } as const;

export type CliErrorCode = 'USAGE' | 'INVALID_INPUT' | 'RUN_FAILED' | 'UNREACHABLE' | 'AUTH' | 'SERVER_REFUSED' | 'NOT_SUPPORTED' | 'WAIT_TIMEOUT' | 'INTERRUPTED';

export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    /** A line of advice printed after the message (what to do next). */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function exitCodeOf(code: CliErrorCode): number {
  switch (code) {
    case 'RUN_FAILED':
      return EXIT_CODES.runFailed;
    case 'USAGE':
    case 'INVALID_INPUT':
      return EXIT_CODES.usage;
    case 'UNREACHABLE':
    case 'AUTH':
      return EXIT_CODES.connection;
    case 'SERVER_REFUSED':
    case 'NOT_SUPPORTED':
      return EXIT_CODES.server;
    case 'WAIT_TIMEOUT':
      return EXIT_CODES.waitTimeout;
    case 'INTERRUPTED':
      return EXIT_CODES.interrupted;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** Turns a client failure into what the user reads, with the exit code class it belongs to. */
export function fromClientError(err: KairosClientError, baseUrl: string): CliError {
  switch (err.code) {
    case 'UNREACHABLE':
    case 'TIMEOUT':
      return new CliError('UNREACHABLE', err.message, `is Kairos running at ${baseUrl}? Set another with --url or KAIROS_URL, or save one with \`kairos login --url …\`.`);
    case 'BAD_RESPONSE':
      return new CliError('SERVER_REFUSED', err.message, `is ${baseUrl} a Kairos server of the same version as this CLI?`);
    case 'API_ERROR':
      break;
    default: {
      const unreachable: never = err.code;
      return unreachable;
    }
  }
  const what = `${err.message} (HTTP ${err.status}${err.serverCode ? ` ${err.serverCode}` : ''})`;
  if (err.status === 401) return new CliError('AUTH', what, 'this server needs an API key: run `kairos login --key-stdin` or set KAIROS_KEY.');
  if (err.status === 403) return new CliError('AUTH', what, 'the key lacks the scope this needs; ask an admin for a key with it (`kairos keys create`).');
  if (err.status === 400) return new CliError('INVALID_INPUT', `the server rejected the request: ${what}`);
  if (err.status === 429) return new CliError('SERVER_REFUSED', what, err.retryAfterMs !== undefined ? `the server asks to retry in ${Math.ceil(err.retryAfterMs / 1000)} s.` : undefined);
  return new CliError('SERVER_REFUSED', what);
}
