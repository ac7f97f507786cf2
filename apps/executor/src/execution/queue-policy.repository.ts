import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';

export const QUEUE_POLICY_REPOSITORY = Symbol('EXECUTOR_QUEUE_POLICY_REPOSITORY');

export interface QueuePolicyRow {
  queue: string;
  policy: string;
  placement: string;
  maxConcurrent: number | null;
}

export interface QueuePolicyChange {
  policy?: string;
  placement?: string;
  maxConcurrent?: number | null;
}

export interface QueueStats {
  queue: string;
  queued: number;
  running: number;
  /** Seconds since the oldest queued task was created (0 when none is queued). */
  oldestQueuedAgeSeconds: number;
}

/** What scheduling reads: per-queue policies and throttles (queue_policies), and running tasks per queue. */
export interface QueuePolicyRepository {
  policies(): Promise<QueuePolicyRow[]>;
  /** Every queue with queued or running tasks: counts and the oldest queued task's age (for /metrics). */
  queueStats(): Promise<QueueStats[]>;
  /** Running tasks of each given queue, cluster-wide. */
  runningByQueue(queues: string[]): Promise<Map<string, number>>;
  /**
   * The operator's change to a queue: each given field replaces the stored one, an omitted one is kept
   * (a queue without a row starts from `defaults`; maxConcurrent null = unlimited).
   */
  setPolicy(queue: string, change: QueuePolicyChange, defaults: { policy: string; placement: string }): Promise<void>;
}

@Injectable()
export class PgQueuePolicyRepository implements QueuePolicyRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async policies(): Promise<QueuePolicyRow[]> {
    const rows = await this.db.query<{ queue: string; policy: string; placement: string; max_concurrent: number | null }>(`SELECT queue, policy, placement, max_concurrent FROM queue_policies`);
    return rows.map((r) => ({ queue: r.queue, policy: r.policy, placement: r.placement, maxConcurrent: r.max_concurrent }));
  }

  async setPolicy(queue: string, change: QueuePolicyChange, defaults: { policy: string; placement: string }): Promise<void> {
    const setLimit = change.maxConcurrent !== undefined;
    await this.db.query(
      `INSERT INTO queue_policies (queue, policy, placement, max_concurrent)
       VALUES ($1, COALESCE($2, $5), COALESCE($3, $6), CASE WHEN $7::boolean THEN $4::int END)
       ON CONFLICT (queue) DO UPDATE SET
         policy = COALESCE($2, queue_policies.policy),
         placement = COALESCE($3, queue_policies.placement),
         max_concurrent = CASE WHEN $7::boolean THEN $4::int ELSE queue_policies.max_concurrent END,
         updated_at = now()`,
      [queue, change.policy ?? null, change.placement ?? null, change.maxConcurrent ?? null, defaults.policy, defaults.placement, setLimit],
    );
  }

  async queueStats(): Promise<QueueStats[]> {
    const rows = await this.db.query<{ queue: string; queued: number; running: number; age: number | null }>(
      `SELECT queue, count(*) FILTER (WHERE status = 'queued')::int AS queued, count(*) FILTER (WHERE status = 'running')::int AS running,
              EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'queued'))::float8 AS age
       FROM tasks WHERE status IN ('queued', 'running') GROUP BY queue`,
    );
    return rows.map((r) => ({ queue: r.queue, queued: r.queued, running: r.running, oldestQueuedAgeSeconds: Math.max(0, r.age ?? 0) }));
  }

  async runningByQueue(queues: string[]): Promise<Map<string, number>> {
    const rows = await this.db.query<{ queue: string; n: number }>(`SELECT queue, count(*)::int AS n FROM tasks WHERE status = 'running' AND queue = ANY($1::text[]) GROUP BY queue`, [queues]);
    return new Map(rows.map((r) => [r.queue, r.n]));
  }
}
