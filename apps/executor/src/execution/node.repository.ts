import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';

export const NODE_REPOSITORY = Symbol('NODE_REPOSITORY');

export interface NodeFlags {
  id: string;
  cordoned: boolean;
  restartRequestedAt: Date | null;
}

export interface NodeHeartbeat {
  id: string;
  executorId: string;
  cpuMillis: number;
  memMb: number;
  status: 'ready' | 'cordoned';
  running: number;
}

/** nodes (executor): registration, heartbeats, and the cordon / restart marks repairs set. */
export interface NodeRepository {
  flags(nodeIds: string[]): Promise<NodeFlags[]>;
  heartbeat(node: NodeHeartbeat): Promise<void>;
  /** Marks nodes whose heartbeat is older than `olderThanMs` lost, and lost ones older than `retireAfterMs` retired. */
  markLost(olderThanMs: number, retireAfterMs: number): Promise<void>;
}

@Injectable()
export class PgNodeRepository implements NodeRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async flags(nodeIds: string[]): Promise<NodeFlags[]> {
    const rows = await this.db.query<{ id: string; cordoned: boolean; restart_requested_at: Date | string | null }>(
      `SELECT id, cordoned, restart_requested_at FROM nodes WHERE id = ANY($1::text[])`,
      [nodeIds],
    );
    return rows.map((r) => ({ id: r.id, cordoned: r.cordoned, restartRequestedAt: r.restart_requested_at ? new Date(r.restart_requested_at) : null }));
  }

  async heartbeat(n: NodeHeartbeat): Promise<void> {
    await this.db.query(
      `INSERT INTO nodes (id, executor_id, cpu_millis, mem_mb, status, running, last_heartbeat_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (id) DO UPDATE SET executor_id = $2, cpu_millis = $3, mem_mb = $4, status = $5, running = $6, last_heartbeat_at = now()`,
      [n.id, n.executorId, n.cpuMillis, n.memMb, n.status, n.running],
    );
  }

  async markLost(olderThanMs: number, retireAfterMs: number): Promise<void> {
    await this.db.query(
      `UPDATE nodes SET status = CASE WHEN last_heartbeat_at < now() - ($2 || ' milliseconds')::interval THEN 'retired' ELSE 'lost' END
       WHERE status NOT IN ('lost', 'retired') AND last_heartbeat_at < now() - ($1 || ' milliseconds')::interval
          OR status = 'lost' AND last_heartbeat_at < now() - ($2 || ' milliseconds')::interval`,
      [String(olderThanMs), String(Math.max(retireAfterMs, olderThanMs))],
    );
  }
}
