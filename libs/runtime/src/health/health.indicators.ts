import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { EVENT_BUS, isConsumerDown, type EventBus } from '@kairos/bus';
import { CLOCK, type Clock, type KairosConfig } from '@kairos/platform';
import { CONFIG } from '../tokens';
import { classifyStorageFailure, DATABASE, type Database } from '@kairos/persistence';
import { HealthRegistry, type HealthCheckResult, type HealthIndicator } from './health.registry';
import { silentGroups } from './readiness';

/**
 * The database answers `SELECT 1`, and no write of this process failed for lack of storage since the
 * last one that went through (a full disk still answers reads: Database.storage tracks writes).
 */
@Injectable()
export class DatabaseHealthIndicator implements HealthIndicator, OnModuleInit {
  readonly name = 'database';
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly registry: HealthRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.addIndicator(this);
  }
  async check(): Promise<HealthCheckResult> {
    const kind = this.db.embedded ? 'pglite' : 'postgresql';
    try {
      await this.db.ping();
    } catch (err) {
      const f = classifyStorageFailure(err);
      return { status: 'down', details: { kind, error: f?.code ?? 'STORAGE_UNAVAILABLE', cause: f?.cause ?? (err as Error).message } };
    }
    const failed = this.db.storage.current();
    if (failed) return { status: 'down', details: { kind, error: failed.code, cause: failed.cause, since: new Date(failed.at).toISOString() } };
    return { status: 'up', details: { kind } };
  }
}

/**
 * Every consumer group of this process is consuming (degraded: running, but no contact with Kafka for
 * HEALTH_KAFKA_MAX_SILENCE_MS): a crashed consumer is down, and so is one whose
 * replacement has been joining for longer than KAFKA_REBALANCE_TIMEOUT_MS (a join waits at most that
 * long for the other members); joining at start-up is not.
 */
@Injectable()
export class ConsumersHealthIndicator implements HealthIndicator, OnModuleInit {
  readonly name = 'consumers';
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly registry: HealthRegistry,
    @Inject(CONFIG) private readonly config: Pick<KairosConfig, 'KAFKA_REBALANCE_TIMEOUT_MS' | 'HEALTH_KAFKA_MAX_SILENCE_MS'>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  onModuleInit(): void {
    this.registry.addIndicator(this);
  }
  check(): HealthCheckResult {
    const groups = this.bus.consumerStates();
    const now = this.clock.now();
    const down = groups.filter((g) => isConsumerDown(g, now, this.config.KAFKA_REBALANCE_TIMEOUT_MS));
    const silent = silentGroups(groups, now, this.config.HEALTH_KAFKA_MAX_SILENCE_MS);
    const status = down.length ? 'down' : silent.length ? 'degraded' : 'up';
    return { status, details: { bus: this.bus.kind, down: down.map((g) => g.group), silent, groups } };
  }
}
