import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { InProcessEventBus, KafkaEventBus, type EventBus } from '@kairos/bus';
import { Database, MIGRATIONS } from '@kairos/persistence';
import { createLogger, type KairosConfig, type Logger } from '@kairos/platform';

export const CONFIG = Symbol('CONFIG');
export const RUNTIME = Symbol('RUNTIME');

/** What every service process shares: config, logger, database and event bus. */
export interface Runtime {
  service: string;
  instanceId: string;
  config: KairosConfig;
  logger: Logger;
  db: Database;
  bus: EventBus;
  /** 'kafka' or 'in-process', for /health. */
  busKind: string;
}

export async function createRuntime(service: string, config: KairosConfig): Promise<Runtime> {
  const logger = createLogger(service, config.LOG_LEVEL);
  const db = await Database.open({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: config.DATABASE_POOL_SIZE, migrations: MIGRATIONS });
  let bus: EventBus;
  let busKind: string;
  if (config.KAFKA_BROKERS) {
    bus = new KafkaEventBus({
      brokers: config.KAFKA_BROKERS.split(','),
      clientId: `${config.KAFKA_CLIENT_ID}-${service}`,
      idempotent: config.KAFKA_IDEMPOTENT,
      consumer: { sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS, heartbeatIntervalMs: config.KAFKA_HEARTBEAT_MS, rebalanceTimeoutMs: config.KAFKA_REBALANCE_TIMEOUT_MS },
    });
    busKind = 'kafka';
  } else {
    bus = new InProcessEventBus();
    busKind = 'in-process';
  }
  // The bus starts in startHttpService, after every module has subscribed: a Kafka consumer group
  // then joins once with all its topics instead of rejoining per subscription.
  const instanceId = config.EXECUTOR_ID ?? `${service}-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  logger.info({ db: db.embedded ? 'pglite' : 'postgresql', bus: busKind, instanceId }, 'runtime ready');
  return { service, instanceId, config, logger, db, bus, busKind };
}

/** Shares one runtime (db, bus) between several services in one process (standalone mode). */
export function deriveRuntime(base: Runtime, service: string): Runtime {
  return { ...base, service, instanceId: `${service}-${base.instanceId}`, logger: base.logger.child({ service }) };
}

export async function closeRuntime(rt: Runtime): Promise<void> {
  await rt.bus.close().catch((e) => rt.logger.warn({ err: e }, 'bus close failed'));
  await rt.db.close().catch((e) => rt.logger.warn({ err: e }, 'db close failed'));
}
