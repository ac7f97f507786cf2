import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Envelope } from '@kairos/contracts';
import { CLOCK, type Clock } from '@kairos/platform';
import { APP_IDENTITY, type AppIdentity } from '@kairos/runtime';
import { METRIC_REPOSITORY, type MetricRepository, type NodeRollupView, type TaskSampleView } from './metric.repository';

/** How often the per-node minute roll-ups are recomputed. */
export const ROLLUP_EVERY_MS = 15_000;

/** Stores metric samples as they arrive and keeps per-node minute roll-ups current. */
@Injectable()
export class MetricService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private lastRollupMs: number;

  constructor(
    @Inject(METRIC_REPOSITORY) private readonly metrics: MetricRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_IDENTITY) private readonly id: AppIdentity,
  ) {
    // The first round also covers the minute before start-up (samples a previous process left half rolled up).
    this.lastRollupMs = clock.now() - 60_000;
  }

  /** Stores one sample (idempotent by event id); false for a redelivery. */
  record(e: Envelope<'metrics.sampled.v1'>): Promise<boolean> {
    return this.metrics.insertSample(e.eventId, e.payload);
  }

  /** One roll-up round: every minute touched since the previous round began. */
  async rollUp(): Promise<number> {
    const since = new Date(this.lastRollupMs);
    this.lastRollupMs = this.clock.now();
    return this.metrics.rollUpSince(since);
  }

  taskSamples(taskId: string): Promise<TaskSampleView[]> {
    return this.metrics.taskSamples(taskId);
  }

  nodeRollups(nodeId: string, minutes = 60): Promise<NodeRollupView[]> {
    return this.metrics.nodeRollups(nodeId, minutes);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.rollUp().catch((err) => this.id.logger.error({ err }, 'metric roll-up failed')), ROLLUP_EVERY_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
