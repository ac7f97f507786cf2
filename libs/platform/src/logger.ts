import pino, { type Logger } from 'pino';

export type { Logger };
export const LOGGER = Symbol('LOGGER');

/**
 * Paths pino blanks out, a safety net under "never log secrets": task secrets (secretEnv and
 * secretHeaders wherever a spec is logged), credentials, and the SQL parameters TypeORM attaches to
 * a failed query and the values PostgreSQL quotes back in its error (they carry whatever the client
 * sent, env values included).
 */
export const LOG_REDACT_PATHS = [
  '*.token',
  '*.password',
  'headers.authorization',
  'headers.cookie',
  'secretEnv',
  'secretHeaders',
  '*.secretEnv',
  '*.secretHeaders',
  '*.*.secretEnv',
  '*.*.secretHeaders',
  'err.parameters',
  'err.driverError.parameters',
  '*.err.parameters',
  // PostgreSQL quotes the offending value in `detail` (`Key (idempotency_key)=(…) already exists`) and
  // `where` (`JSON data, line 1: …`); the driver error sits under err and err.driverError.
  'err.detail',
  'err.where',
  'err.driverError.detail',
  'err.driverError.where',
  '*.err.detail',
  '*.err.where',
];

export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } });
}
