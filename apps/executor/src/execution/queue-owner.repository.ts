import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';

export const QUEUE_OWNER_REPOSITORY = Symbol('EXECUTOR_QUEUE_OWNER_REPOSITORY');

export interface QueueOwnerRow {
  queue: string;
  owner: string;
  epoch: number;
}

/** queue_owners: one owner per queue at a time, held as a lease the owner renews. */
export interface QueueOwnerRepository {
  /**
   * Renews the queues `owner` holds and takes every queue with queued work that has no live owner
   * (none, or one whose lease expired). Returns the queues `owner` holds afterwards.
   */
  acquire(owner: string, ttlMs: number): Promise<string[]>;
  /** Gives up every queue `owner` holds (graceful stop): another executor takes them at its next round. */
  release(owner: string): Promise<void>;
  owners(): Promise<QueueOwnerRow[]>;
}

@Injectable()
export class PgQueueOwnerRepository implements QueueOwnerRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async acquire(owner: string, ttlMs: number): Promise<string[]> {
    const rows = await this.db.query<{ queue: string }>(
      `WITH wanted AS (
         SELECT DISTINCT queue FROM tasks WHERE status = 'queued'
         UNION SELECT queue FROM queue_owners WHERE owner = $1
       )
       INSERT INTO queue_owners (queue, owner, expires_at)
       SELECT queue, $1, now() + ($2 || ' milliseconds')::interval FROM wanted
       ON CONFLICT (queue) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at,
         epoch = queue_owners.epoch + CASE WHEN queue_owners.owner = EXCLUDED.owner THEN 0 ELSE 1 END,
         acquired_at = CASE WHEN queue_owners.owner = EXCLUDED.owner THEN queue_owners.acquired_at ELSE now() END
       WHERE queue_owners.owner = EXCLUDED.owner OR queue_owners.expires_at < now()
       RETURNING queue`,
      [owner, String(ttlMs)],
    );
    return rows.map((r) => r.queue).sort();
  }

  async release(owner: string): Promise<void> {
    await this.db.query(`DELETE FROM queue_owners WHERE owner = $1`, [owner]);
  }

  async owners(): Promise<QueueOwnerRow[]> {
    const rows = await this.db.query<{ queue: string; owner: string; epoch: string | number }>(`SELECT queue, owner, epoch FROM queue_owners ORDER BY queue`);
    return rows.map((r) => ({ queue: r.queue, owner: r.owner, epoch: Number(r.epoch) }));
  }
}
