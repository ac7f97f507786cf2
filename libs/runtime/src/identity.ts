import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { claimIdentitySlot } from './identity-slot';
import type { FactoryProvider } from '@nestjs/common';
import { LOGGER, type KairosConfig, type Logger } from '@kairos/platform';
import { APP_IDENTITY, PROCESS_IDENTITY, type AppIdentity, type ProcessIdentity } from './tokens';

/**
 * EXECUTOR_ID when set; else `<service>-<host>-<slot>`, stable across restarts on this host (the slot
 * is claimed under DATA_DIR/identity, see identity-slot.ts); else, when that directory cannot be
 * written, `<service>-<host>-<pid>-<random>` (a new identity per start).
 */
export function processIdentity(service: string, config: Pick<KairosConfig, 'EXECUTOR_ID' | 'DATA_DIR'>, claim: (dir: string, service: string) => number | null = claimIdentitySlot): ProcessIdentity {
  if (config.EXECUTOR_ID) return { service, instanceId: config.EXECUTOR_ID };
  const slot = claim(join(config.DATA_DIR, 'identity'), service);
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');
  return { service, instanceId: slot === null ? `${service}-${host}-${process.pid}-${randomUUID().slice(0, 8)}` : `${service}-${host}-${slot}` };
}

/**
 * An app's identity in this process: the process's own when the process is that app, else (standalone)
 * derived from it, with a child logger naming the app.
 */
export function appIdentity(app: string, proc: ProcessIdentity, logger: Logger): AppIdentity {
  if (proc.service === app) return { app, instanceId: proc.instanceId, logger };
  return { app, instanceId: `${app}-${proc.instanceId}`, logger: logger.child({ service: app }) };
}

/** The APP_IDENTITY provider of one app's core module. */
export function appIdentityProvider(app: string): FactoryProvider<AppIdentity> {
  return { provide: APP_IDENTITY, useFactory: (proc: ProcessIdentity, logger: Logger) => appIdentity(app, proc, logger), inject: [PROCESS_IDENTITY, LOGGER] };
}
