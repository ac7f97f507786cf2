import { Inject, Injectable } from '@nestjs/common';
import type { Envelope } from '@kairos/contracts';
import { appendToOutbox, DATABASE, type Database } from '@kairos/persistence';

export const QUEUE_POLICY_REPOSITORY = Symbol('GATEWAY_QUEUE_POLICY_REPOSITORY');

export interface QueueRow {
  queue: string;
  policy: string | null;
  placement: string | null;
  /** Max concurrently running tasks of the queue, cluster-wide (null = unlimited). */
  maxConcurrent: number | null;
  updatedAt: Date | null;
  queued: number;
  running: number;
}

/** Queues with their policy and load (queue_policies is the executor's); a policy change is a command to it. */
export interface QueuePolicyRepository {
  listQueues(): Promise<QueueRow[]>;
  requestPolicy(command: Envelope<'queue.policy.requested.v1'>): Promise<void>;
}

@Injectable()
export class PgQueuePolicyRepository implements QueuePolicyRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  listQueues(): Promise<QueueRow[]> {
    return this.db.query<QueueRow>(
      `SELECT q.queue, p.policy, p.placement, p.max_concurrent AS "maxConcurrent", p.updated_at AS "updatedAt",
              (SELECT count(*)::int FROM tasks t WHERE t.queue = q.queue AND t.status = 'queued') AS queued,
              (SELECT count(*)::int FROM tasks t WHERE t.queue = q.queue AND t.status = 'running') AS running
       FROM (SELECT queue FROM queue_policies UNION SELECT DISTINCT queue FROM tasks) q
       LEFT JOIN queue_policies p ON p.queue = q.queue ORDER BY q.queue`,
    );
  }

  async requestPolicy(command: Envelope<'queue.policy.requested.v1'>): Promise<void> {
    await this.db.transaction((tx) => appendToOutbox(tx, 'gateway', [command]));
  }
}
