import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { EVENT_BUS, isConsumerDown, type EventBus } from '@kairos/bus';
import { DATABASE, type Database } from '@kairos/persistence';
import { HealthRegistry, type HealthCheckResult, type HealthIndicator } from './health.registry';

/** The database answers `SELECT 1`. */
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
    await this.db.ping();
    return { status: 'up', details: { kind: this.db.embedded ? 'pglite' : 'postgresql' } };
  }
}

/**
 * Every consumer group of this process is consuming: a crashed consumer, or one whose replacement has
 * not joined its group yet, is down (joining at start-up is not).
 */
@Injectable()
export class ConsumersHealthIndicator implements HealthIndicator, OnModuleInit {
  readonly name = 'consumers';
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly registry: HealthRegistry,
  ) {}
  onModuleInit(): void {
    this.registry.addIndicator(this);
  }
  check(): HealthCheckResult {
    const groups = this.bus.consumerStates();
    const down = groups.filter(isConsumerDown);
    return { status: down.length ? 'down' : 'up', details: { bus: this.bus.kind, down: down.map((g) => g.group), groups } };
  }
}
