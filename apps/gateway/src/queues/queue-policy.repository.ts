import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';

export const QUEUE_POLICY_REPOSITORY = Symbol('GATEWAY_QUEUE_POLICY_REPOSITORY');

export interface QueueRow {
  queue: string;
  policy: string | null;
  placement: string | null;
  updatedAt: Date | null;
  queued: number;
  running: number;
}

export interface QueuePolicyRow {
  queue: string;
  policy: string;
  placement: string;
  updatedAt: Date;
}

/** Queues with their policy and load; the operator's choice of ordering policy and placement per queue. */
export interface QueuePolicyRepository {
  listQueues(): Promise<QueueRow[]>;
  setPolicy(queue: string, policy: string, placement: string): Promise<QueuePolicyRow>;
}

@Injectable()
export class PgQueuePolicyRepository implements QueuePolicyRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  listQueues(): Promise<QueueRow[]> {
    return this.db.query<QueueRow>(
      `SELECT q.queue, p.policy, p.placement, p.updated_at AS "updatedAt",
              (SELECT count(*)::int FROM tasks t WHERE t.queue = q.queue AND t.status = 'queued') AS queued,
              (SELECT count(*)::int FROM tasks t WHERE t.queue = q.queue AND t.status = 'running') AS running
       FROM (SELECT queue FROM queue_policies UNION SELECT DISTINCT queue FROM tasks) q
       LEFT JOIN queue_policies p ON p.queue = q.queue ORDER BY q.queue`,
    );
  }

  async setPolicy(queue: string, policy: string, placement: string): Promise<QueuePolicyRow> {
    const rows = await this.db.query<QueuePolicyRow>(
      `INSERT INTO queue_policies (queue, policy, placement) VALUES ($1, $2, $3)
       ON CONFLICT (queue) DO UPDATE SET policy = $2, placement = $3, updated_at = now()
       RETURNING queue, policy, placement, updated_at AS "updatedAt"`,
      [queue, policy, placement],
    );
    return rows[0];
  }
}
