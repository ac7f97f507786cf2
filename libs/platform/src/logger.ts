import pino, { type Logger } from 'pino';

export type { Logger };
export const LOGGER = Symbol('LOGGER');

export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service }, redact: ['*.token', '*.password', 'headers.authorization'] });
}
