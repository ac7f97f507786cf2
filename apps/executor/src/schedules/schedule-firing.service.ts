import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_IDENTITY, OutboxRelayService, type AppIdentity } from '@kairos/runtime';
import { EXECUTOR_SETTINGS, type ExecutorSettings } from '../core/executor-settings';
import { ExecutorService } from '../execution/executor.service';
import { realTimer } from '@kairos/platform';
import { ScheduleFiringEngine, type FiringEngineStats } from './schedule-firing.engine';
import { SCHEDULE_REPOSITORY, type ScheduleRepository } from './schedule.repository';

/**
 * Binds the firing engine to the executor process: its identity as the lease owner, the real clock,
 * and, when ticks fired, an immediate scheduling pass and outbox publish (no wait for the 250 ms poll).
 */
@Injectable()
export class ScheduleFiringService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly engine: ScheduleFiringEngine;

  constructor(
    @Inject(SCHEDULE_REPOSITORY) repo: ScheduleRepository,
    @Inject(EXECUTOR_SETTINGS) settings: ExecutorSettings,
    @Inject(APP_IDENTITY) id: AppIdentity,
    @Inject(ExecutorService) executor: Pick<ExecutorService, 'kick'>,
    @Inject(OutboxRelayService) relay: Pick<OutboxRelayService, 'kick'>,
  ) {
    this.engine = new ScheduleFiringEngine(
      repo,
      realTimer,
      { owner: settings.executorId, partitionCount: settings.schedulePartitions, leaseTtlMs: settings.scheduleLeaseMs, reloadEveryMs: 500, outcomeEveryMs: 250, leadMs: settings.scheduleDecideAheadMs },
      {
        onFired: () => {
          executor.kick();
          relay.kick();
        },
        onError: (err, what) => id.logger.error({ err }, `schedules: ${what} failed`),
      },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine.stop();
  }

  stats(): FiringEngineStats {
    return this.engine.getStats();
  }
}
