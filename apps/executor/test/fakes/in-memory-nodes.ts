import type { ClusterNode, NodeFlags, NodeHeartbeat, NodeRepository } from '../../src/execution/node.repository';
import type { QueueOwnerRepository, QueueOwnerRow } from '../../src/execution/queue-owner.repository';
import type { QueuePolicyChange, QueuePolicyRepository, QueuePolicyRow, QueueStats } from '../../src/execution/queue-policy.repository';
import type { ProcessUsage, ResourceSampler } from '../../src/execution/resource-sampler';

/**
 * nodes in memory: the flags a test sets (cordon, restart mark) and the heartbeats the executor wrote;
 * the cluster view is the last heartbeat of each node with usage from `usageOn` (the task fake's running tasks).
 */
export class InMemoryNodeRepository implements NodeRepository {
  readonly flagsById = new Map<string, NodeFlags>();
  readonly heartbeats: NodeHeartbeat[] = [];
  constructor(private readonly usageOn: (nodeId: string) => { cpu: number; mem: number; n: number; gpu?: number } = () => ({ cpu: 0, mem: 0, n: 0 })) {}
  async clusterView(): Promise<ClusterNode[]> {
    const last = new Map<string, NodeHeartbeat>();
    for (const h of this.heartbeats) last.set(h.id, h);
    return [...last.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((h) => {
        const u = this.usageOn(h.id);
        return { id: h.id, executorId: h.executorId, cpuMillis: h.cpuMillis, memMb: h.memMb, cordoned: this.flagsById.get(h.id)?.cordoned ?? h.status === 'cordoned', usedCpu: u.cpu, usedMem: u.mem, running: u.n, gpuCount: h.gpus ?? 0, usedGpu: u.gpu ?? 0 };
      });
  }
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

/** queue_owners in memory: takes every queue `queued()` lists that no other owner holds (no expiry: tests hand queues over with `release`). */
export class InMemoryQueueOwnerRepository implements QueueOwnerRepository {
  readonly owner = new Map<string, string>();
  constructor(private readonly queued: () => string[] = () => []) {}
  async acquire(owner: string): Promise<string[]> {
    for (const q of this.queued()) if (!this.owner.has(q)) this.owner.set(q, owner);
    return [...this.owner.entries()].filter(([, o]) => o === owner).map(([q]) => q).sort();
  }
  async release(owner: string): Promise<void> {
    for (const [q, o] of [...this.owner.entries()]) if (o === owner) this.owner.delete(q);
  }
  async owners(): Promise<QueueOwnerRow[]> {
    return [...this.owner.entries()].map(([queue, owner]) => ({ queue, owner, epoch: 1 }));
  }
}
