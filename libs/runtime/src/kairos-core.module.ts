import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { EVENT_BUS, InProcessEventBus, KafkaEventBus, KairosBusClient, KairosBusServer, type EventBus } from '@kairos/bus';
import { classifyStorageFailure, DATABASE, Database, type MigrationClass } from '@kairos/persistence';
import { APP_GUARD } from '@nestjs/core';
import { CLOCK, createLogger, LOGGER, systemClock, TokenBucketLimiter, type KairosConfig, type Logger } from '@kairos/platform';
import { FaultInjectionController } from './fault-injection.controller';
import { HealthController } from './health/health.controller';
import { ConsumersHealthIndicator, DatabaseHealthIndicator } from './health/health.indicators';
import { HealthRegistry } from './health/health.registry';
import { processIdentity } from './identity';
import { KairosMetrics } from './metrics/kairos-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { PgApiKeyLookup } from './security/api-key-lookup.repository';
import { API_KEY_GUARD_OPTIONS, API_KEY_LOOKUP, API_KEY_RATE_LIMITER, ApiKeyGuard, type ApiKeyGuardOptions } from './security/api-key.guard';
import { BUS_CLIENT, CONFIG, KAIROS_METRICS, PROCESS_IDENTITY, type ProcessIdentity } from './tokens';

export interface KairosCoreOptions {
  /** The process's service name ('gateway', …, or 'standalone'). */
  service: string;
  config: KairosConfig;
  /** Every migration this process runs (the baseline plus its apps' own). */
  migrations: MigrationClass[];
}

/** KAFKA_BROKERS set: Kafka; unset: the in-process twin (standalone). */
export function createEventBus(service: string, config: KairosConfig, logger: Logger, metrics?: KairosMetrics): EventBus {
  if (!config.KAFKA_BROKERS) return new InProcessEventBus();
  return new KafkaEventBus({
    brokers: config.KAFKA_BROKERS.split(','),
    clientId: `${config.KAFKA_CLIENT_ID}-${service}`,
    idempotent: config.KAFKA_IDEMPOTENT,
    consumer: { sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS, heartbeatIntervalMs: config.KAFKA_HEARTBEAT_MS, rebalanceTimeoutMs: config.KAFKA_REBALANCE_TIMEOUT_MS, partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY },
    log: (level, message, fields) => logger[level]({ ...fields, component: 'kafka-bus' }, message),
    // A handler that failed because the database is down (or restarting, or out of disk) waits for it
    // instead of dead-lettering a good message after a few seconds (the fault suite's PostgreSQL restart).
    unavailable: (err) => classifyStorageFailure(err) !== null,
    onConsumerLag: metrics ? (group, topic, partition, lag) => metrics.consumerLag.set({ group, topic, partition: String(partition) }, lag) : undefined,
  });
}

/** Closes the database after everything else (the bus is closed by the transport server before this). */
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Database) {}
  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

/**
 * What every process shares, bound to tokens for every app module in it: CONFIG, LOGGER, DATABASE
 * (migrated before anything uses it), EVENT_BUS with its Nest transport (KairosBusServer) and client
 * (BUS_CLIENT), CLOCK, the process identity, /health, /metrics (KAIROS_METRICS, Prometheus), and the
 * API-key guard on every HTTP and GraphQL route (APP_GUARD: keys looked up in the gateway's api_keys
 * table, rate-limited per key; docs/security.md).
 */
@Global()
@Module({})
export class KairosCoreModule {
  static forRoot(opts: KairosCoreOptions): DynamicModule {
    const metrics = new KairosMetrics(opts.service);
    const providers: Provider[] = [
      { provide: KAIROS_METRICS, useValue: metrics },
      { provide: CONFIG, useValue: opts.config },
      { provide: LOGGER, useValue: createLogger(opts.service, opts.config.LOG_LEVEL) },
      { provide: PROCESS_IDENTITY, useValue: processIdentity(opts.service, opts.config) },
      { provide: CLOCK, useValue: systemClock },
      {
        provide: DATABASE,
        useFactory: async (logger: Logger, proc: ProcessIdentity) => {
          const db = await Database.open({ url: opts.config.DATABASE_URL, dataDir: opts.config.DATA_DIR, poolSize: opts.config.DATABASE_POOL_SIZE, migrations: opts.migrations, vacuumEveryMs: opts.config.EMBEDDED_VACUUM_MS, slowStatementMs: opts.config.EMBEDDED_SLOW_STATEMENT_MS });
          logger.info({ db: db.embedded ? 'pglite' : 'postgresql', instanceId: proc.instanceId }, 'database ready');
          metrics.onScrape('db-pool', () => {
            const pool = db.poolStats();
            if (pool) for (const [state, n] of Object.entries(pool)) metrics.dbPoolConnections.set({ state }, n);
          });
          return db;
        },
        inject: [LOGGER, PROCESS_IDENTITY],
      },
      { provide: EVENT_BUS, useFactory: (logger: Logger) => createEventBus(opts.service, opts.config, logger, metrics), inject: [LOGGER] },
      { provide: KairosBusServer, useFactory: (bus: EventBus) => new KairosBusServer(bus), inject: [EVENT_BUS] },
      { provide: BUS_CLIENT, useFactory: (bus: EventBus) => new KairosBusClient(bus), inject: [EVENT_BUS] },
      HealthRegistry,
      DatabaseHealthIndicator,
      ConsumersHealthIndicator,
      DatabaseCloser,
      { provide: API_KEY_LOOKUP, useClass: PgApiKeyLookup },
      {
        provide: API_KEY_RATE_LIMITER,
        useValue: new TokenBucketLimiter({ ratePerSec: opts.config.RATE_LIMIT_PER_SEC, burst: opts.config.RATE_LIMIT_BURST, maxBuckets: opts.config.RATE_LIMIT_MAX_BUCKETS, now: Date.now }),
      },
      { provide: API_KEY_GUARD_OPTIONS, useValue: { enforced: opts.config.KAIROS_AUTH === 'keys', allowedOrigins: opts.config.ALLOWED_ORIGINS } satisfies ApiKeyGuardOptions },
      { provide: APP_GUARD, useClass: ApiKeyGuard },
    ];
    return {
      module: KairosCoreModule,
      controllers: [HealthController, MetricsController, ...(opts.config.KAIROS_FAULT_INJECTION ? [FaultInjectionController] : [])],
      providers,
      exports: [KAIROS_METRICS, CONFIG, LOGGER, PROCESS_IDENTITY, CLOCK, DATABASE, EVENT_BUS, KairosBusServer, BUS_CLIENT, HealthRegistry, API_KEY_LOOKUP],
    };
  }
}
