import type { NodeFlags, NodeHeartbeat, NodeRepository } from '../../src/execution/node.repository';
import type { QueuePolicyChange, QueuePolicyRepository, QueuePolicyRow, QueueStats } from '../../src/execution/queue-policy.repository';
import type { ProcessUsage, ResourceSampler } from '../../src/execution/resource-sampler';

/** nodes in memory: the flags a test sets (cordon, restart mark) and the heartbeats the executor wrote. */
export class InMemoryNodeRepository implements NodeRepository {
  readonly flagsById = new Map<string, NodeFlags>();
  readonly heartbeats: NodeHeartbeat[] = [];
  async flags(nodeIds: string[]): Promise<NodeFlags[]> {
    return nodeIds.map((id) => this.flagsById.get(id)).filter((f): f is NodeFlags => f !== undefined);
  }
  async heartbeat(node: NodeHeartbeat): Promise<void> {
    this.heartbeats.push(node);
  }
  async markLost(): Promise<void> {}
  set(id: string, flags: Partial<Omit<NodeFlags, 'id'>>): void {
    this.flagsById.set(id, { id, cordoned: false, restartRequestedAt: null, ...this.flagsById.get(id), ...flags });
  }
}

/** queue_policies in memory, and a fixed count of running tasks per queue elsewhere in the cluster. */
export class InMemoryQueuePolicyRepository implements QueuePolicyRepository {
  rows: QueuePolicyRow[] = [];
  runningElsewhere = new Map<string, number>();
  async policies(): Promise<QueuePolicyRow[]> {
    return this.rows;
  }
  async setPolicy(queue: string, change: QueuePolicyChange, defaults: { policy: string; placement: string }): Promise<void> {
    let row = this.rows.find((r) => r.queue === queue);
    if (!row) this.rows.push((row = { queue, ...defaults, maxConcurrent: null }));
    if (change.policy !== undefined) row.policy = change.policy;
    if (change.placement !== undefined) row.placement = change.placement;
    if (change.maxConcurrent !== undefined) row.maxConcurrent = change.maxConcurrent;
  }
  stats: QueueStats[] = [];
  async queueStats(): Promise<QueueStats[]> {
    return this.stats;
  }
  async runningByQueue(queues: string[]): Promise<Map<string, number>> {
    return new Map(queues.map((q) => [q, this.runningElsewhere.get(q) ?? 0]));
  }
}

/** A sampler that reports what the test says each pid uses. */
export class FakeResourceSampler implements ResourceSampler {
  usage = new Map<number, ProcessUsage>();
  async sample(pids: number[]): Promise<Map<number, ProcessUsage>> {
    return new Map(pids.filter((p) => this.usage.has(p)).map((p) => [p, this.usage.get(p)!]));
  }
  close(): void {}
}
