import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { KAIROS_METRICS, type KairosMetrics } from '@kairos/runtime';
import { QUEUE_POLICY_REPOSITORY, type QueuePolicyRepository } from './queue-policy.repository';

/** Feeds /metrics the queue gauges (depth, oldest queued age, running), read cluster-wide at each scrape. */
@Injectable()
export class ExecutorMetricsService implements OnModuleInit {
  constructor(
    @Inject(QUEUE_POLICY_REPOSITORY) private readonly queues: Pick<QueuePolicyRepository, 'queueStats'>,
    @Optional() @Inject(KAIROS_METRICS) private readonly metrics?: KairosMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics?.onScrape('executor-queues', () => this.refresh());
  }

  async refresh(): Promise<void> {
    if (!this.metrics) return;
    const stats = await this.queues.queueStats();
    const { queueDepth, queueOldestAgeSeconds, tasksRunning } = this.metrics;
    // A queue that emptied reads 0 rather than vanishing mid-graph; one never seen again drops at restart.
    for (const g of [queueDepth, queueOldestAgeSeconds, tasksRunning]) for (const v of (await g.get()).values) g.set({ queue: String(v.labels.queue) }, 0);
    for (const s of stats) {
      queueDepth.set({ queue: s.queue }, s.queued);
      queueOldestAgeSeconds.set({ queue: s.queue }, s.oldestQueuedAgeSeconds);
      tasksRunning.set({ queue: s.queue }, s.running);
    }
  }
}
