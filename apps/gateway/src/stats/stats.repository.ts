import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';

export const STATS_REPOSITORY = Symbol('STATS_REPOSITORY');

export interface NodeView {
  id: string;
  executorId: string;
  cpuMillis: number;
  memMb: number;
  status: string;
  running: number;
  lastHeartbeatAt: Date;
}

/** Read-only views for the dashboard: nodes (executor's table) and finished tasks per minute. */
export interface StatsRepository {
  nodes(): Promise<NodeView[]>;
  finishedPerMinute(minutes: number): Promise<Array<{ minute: Date; status: string; count: number }>>;
}

@Injectable()
export class PgStatsRepository implements StatsRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  nodes(): Promise<NodeView[]> {
    return this.db.query<NodeView>(`SELECT id, executor_id AS "executorId", cpu_millis AS "cpuMillis", mem_mb AS "memMb", status, running, last_heartbeat_at AS "lastHeartbeatAt" FROM nodes WHERE status <> 'retired' ORDER BY id`);
  }

  async finishedPerMinute(minutes: number): Promise<Array<{ minute: Date; status: string; count: number }>> {
    const rows = await this.db.query<{ minute: Date; status: string; n: string }>(
      `SELECT date_trunc('minute', finished_at) AS minute, status, count(*)::text AS n FROM tasks
       WHERE finished_at > now() - ($1 || ' minutes')::interval GROUP BY 1, 2 ORDER BY 1`,
      [String(minutes)],
    );
    return rows.map((r) => ({ minute: r.minute, status: r.status, count: Number(r.n) }));
  }
}
