import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '@kairos/bus';
import { DATABASE, OutboxRelay, outboxBacklog, type Database } from '@kairos/persistence';
import { CLOCK, type Clock, type KairosConfig } from '@kairos/platform';
import { HealthRegistry } from './health/health.registry';
import { judgeOutbox } from './health/readiness';
import type { KairosMetrics } from './metrics/kairos-metrics';
import { APP_IDENTITY, CONFIG, KAIROS_METRICS, OUTBOX_PRODUCER, type AppIdentity } from './tokens';

/**
 * One app's outbox relay (its OUTBOX_PRODUCER rows → the bus), started with the app and stopped before
 * the bus closes. `kick()` after a commit asks for a flush soon. Its backlog is a readiness component
 * (`outbox:<producer>`, degraded above HEALTH_OUTBOX_MAX_BACKLOG rows or HEALTH_OUTBOX_MAX_AGE_MS).
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    @Inject(DATABASE) db: Database,
    @Inject(EVENT_BUS) bus: EventBus,
    @Inject(OUTBOX_PRODUCER) producer: string,
    @Inject(APP_IDENTITY) id: AppIdentity,
    @Inject(CONFIG) config: Pick<KairosConfig, 'HEALTH_OUTBOX_MAX_BACKLOG' | 'HEALTH_OUTBOX_MAX_AGE_MS'>,
    @Inject(CLOCK) clock: Clock,
    registry: HealthRegistry,
    @Optional() @Inject(KAIROS_METRICS) metrics?: KairosMetrics,
  ) {
    this.relay = new OutboxRelay(db, bus, producer, (err) => id.logger.error({ err }, 'outbox relay failed'), 200);
    const limits = { maxBacklog: config.HEALTH_OUTBOX_MAX_BACKLOG, maxAgeMs: config.HEALTH_OUTBOX_MAX_AGE_MS };
    registry.addIndicator({ name: `outbox:${producer}`, check: async () => judgeOutbox(producer, await outboxBacklog(db, producer), clock.now(), limits) });
    metrics?.onScrape(`outbox-${producer}`, async () => {
      const b = await this.relay.backlog();
      metrics.outboxBacklog.set({ producer }, b.count);
      metrics.outboxOldestAgeSeconds.set({ producer }, b.oldestAgeSeconds);
    });
  }

  kick(): void {
    this.relay.kick();
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
