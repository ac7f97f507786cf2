import { isIP } from 'node:net';
import { DomainError } from '@kairos/platform';

export class BindPolicyError extends DomainError<'BIND_REFUSED'> {
  readonly code = 'BIND_REFUSED' as const;
}

/** localhost, 127.0.0.0/8, ::1 (bracketed or not) and IPv4-mapped 127.x. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^(0{0,4}:){1,7}0{0,3}1$/.test(h) || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Refuses to listen beyond this machine while the API is open: without enforced API keys anyone who
 * reaches the port can run commands as the server's user.
 */
export function assertBindAllowed(host: string, keysEnforced: boolean): void {
  if (keysEnforced || isLoopbackHost(host)) return;
  throw new BindPolicyError(
    `refusing to listen on HOST=${host}: it is reachable from other machines and API keys are not enforced, so anyone who can reach the port could run commands as this user. ` +
      'Keep HOST=127.0.0.1 (the default) and put a TLS reverse proxy in front, or enforce API keys (docs/security.md).',
    { host },
  );
}
