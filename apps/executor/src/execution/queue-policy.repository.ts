import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';

export const QUEUE_POLICY_REPOSITORY = Symbol('EXECUTOR_QUEUE_POLICY_REPOSITORY');

export interface QueuePolicyRow {
  queue: string;
  policy: string;
  placement: string;
  maxConcurrent: number | null;
}

/** What scheduling reads: per-queue policies and throttles (queue_policies), and running tasks per queue. */
export interface QueuePolicyRepository {
  policies(): Promise<QueuePolicyRow[]>;
  /** Running tasks of each given queue, cluster-wide. */
  runningByQueue(queues: string[]): Promise<Map<string, number>>;
  /** The operator's ordering policy and placement for a queue (its throttle is kept). */
  setPolicy(queue: string, policy: string, placement: string): Promise<void>;
}

@Injectable()
export class PgQueuePolicyRepository implements QueuePolicyRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async policies(): Promise<QueuePolicyRow[]> {
    const rows = await this.db.query<{ queue: string; policy: string; placement: string; max_concurrent: number | null }>(`SELECT queue, policy, placement, max_concurrent FROM queue_policies`);
    return rows.map((r) => ({ queue: r.queue, policy: r.policy, placement: r.placement, maxConcurrent: r.max_concurrent }));
  }

  async setPolicy(queue: string, policy: string, placement: string): Promise<void> {
    await this.db.query(
      `INSERT INTO queue_policies (queue, policy, placement) VALUES ($1, $2, $3)
       ON CONFLICT (queue) DO UPDATE SET policy = $2, placement = $3, updated_at = now()`,
      [queue, policy, placement],
    );
  }

  async runningByQueue(queues: string[]): Promise<Map<string, number>> {
    const rows = await this.db.query<{ queue: string; n: number }>(`SELECT queue, count(*)::int AS n FROM tasks WHERE status = 'running' AND queue = ANY($1::text[]) GROUP BY queue`, [queues]);
    return new Map(rows.map((r) => [r.queue, r.n]));
  }
}
