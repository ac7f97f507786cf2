import pino, { type Logger } from 'pino';

export type { Logger };
export const LOGGER = Symbol('LOGGER');

/**
 * Paths pino blanks out, a safety net under "never log secrets": task secrets (secretEnv and
 * secretHeaders wherever a spec is logged), credentials, and the SQL parameters TypeORM attaches to
 * a failed query (they carry whatever the client sent, env values included).
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
];

export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } });
}
