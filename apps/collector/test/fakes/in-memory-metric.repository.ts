import type { Envelope, MetricSampled, Topic } from '@kairos/contracts';
import type { MetricRepository, NodeRollupView, TaskSampleView } from '../../src/metrics/metric.repository';
import type { EventLogRepository } from '../../src/event-log/event-log.repository';

/** MetricRepository in memory: samples keyed by event id (idempotent like the table), roll-up calls recorded. */
export class InMemoryMetricRepository implements MetricRepository {
  readonly samples = new Map<string, MetricSampled>();
  readonly rollUps: Date[] = [];

  async insertSample(eventId: string, sample: MetricSampled): Promise<boolean> {
    if (this.samples.has(eventId)) return false;
    this.samples.set(eventId, sample);
    return true;
  }

  async rollUpSince(since: Date): Promise<number> {
    this.rollUps.push(since);
    const nodes = new Set([...this.samples.values()].filter((s) => Date.parse(s.sampledAt) >= since.getTime() - (since.getTime() % 60_000)).map((s) => s.nodeId));
    return nodes.size;
  }

  async taskSamples(taskId: string): Promise<TaskSampleView[]> {
    return [...this.samples.values()].filter((s) => s.taskId === taskId).map((s) => ({ sampledAt: s.sampledAt, nodeId: s.nodeId, cpuPercent: s.cpuPercent, memMb: s.memMb }));
  }

  async nodeRollups(): Promise<NodeRollupView[]> {
    return [];
  }
}

/** EventLogRepository in memory, keyed by event id like event_log. */
export class InMemoryEventLogRepository implements EventLogRepository {
  readonly events = new Map<string, Envelope<Topic>>();
  async append(e: Envelope<Topic>): Promise<void> {
    if (!this.events.has(e.eventId)) this.events.set(e.eventId, e);
  }
}
