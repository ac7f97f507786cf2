import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { KairosConfig } from '@kairos/platform';
import { APP_IDENTITY, CONFIG, type AppIdentity } from '@kairos/runtime';
import { ExecutorService } from './executor.service';
import { PgWakeupSubscription } from './wakeup.repository';

/**
 * Cross-replica wake-ups: runs this executor's scheduling pass at once on each `kairos_wakeup`
 * notification (a task added or changing status anywhere), so a queue's owner does not wait for its
 * next 250 ms pass to hear of another replica's completions or of a submission whose event another
 * replica consumed, nor an executor to adopt an attempt placed on its node. Best effort: while the
 * subscription reconnects, the periodic pass still schedules everything. Only with a PostgreSQL server
 * (DATABASE_URL): on embedded PGlite there is one executor, woken in-process.
 */
@Injectable()
export class WakeupListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly subscription: PgWakeupSubscription | null;

  constructor(
    @Inject(CONFIG) config: Pick<KairosConfig, 'DATABASE_URL'>,
    @Inject(ExecutorService) executor: Pick<ExecutorService, 'kick'>,
    @Inject(APP_IDENTITY) id: AppIdentity,
  ) {
    this.subscription = config.DATABASE_URL ? new PgWakeupSubscription(config.DATABASE_URL, () => executor.kick(), id.logger) : null;
  }

  /** Notifications received (0 without a PostgreSQL server). */
  get received(): number {
    return this.subscription?.received ?? 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.subscription?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }
}
