import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { FactoryProvider } from '@nestjs/common';
import { LOGGER, type KairosConfig, type Logger } from '@kairos/platform';
import { APP_IDENTITY, PROCESS_IDENTITY, type AppIdentity, type ProcessIdentity } from './tokens';

export function processIdentity(service: string, config: Pick<KairosConfig, 'EXECUTOR_ID'>): ProcessIdentity {
  return { service, instanceId: config.EXECUTOR_ID ?? `${service}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}` };
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
