import type { MetricSampled } from '@kairos/contracts';
import type { Database } from '@kairos/persistence';

/** The collector's tables: raw samples (idempotent by event id) and per-node minute roll-ups. */
export class MetricStore {
  constructor(private readonly db: Database) {}

  async insert(eventId: string, m: MetricSampled): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO metric_samples (event_id, source, node_id, task_id, sampled_at, cpu_percent, mem_mb)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING RETURNING id`,
      [eventId, m.source, m.nodeId, m.taskId, m.sampledAt, m.cpuPercent, m.memMb],
    );
    return rows.length === 1;
  }

  /** Recomputes roll-ups for the minutes touched since `since` (idempotent upsert). */
  async rollUp(since: Date): Promise<number> {
    const rows = await this.db.query(
      `INSERT INTO metric_rollups (node_id, minute, samples, cpu_avg, cpu_max, mem_avg, mem_max)
       SELECT node_id, date_trunc('minute', sampled_at), count(*), avg(cpu_percent), max(cpu_percent), avg(mem_mb), max(mem_mb)
       FROM metric_samples WHERE sampled_at >= date_trunc('minute', $1::timestamptz) GROUP BY 1, 2
       ON CONFLICT (node_id, minute) DO UPDATE SET samples = EXCLUDED.samples, cpu_avg = EXCLUDED.cpu_avg,
         cpu_max = EXCLUDED.cpu_max, mem_avg = EXCLUDED.mem_avg, mem_max = EXCLUDED.mem_max
       RETURNING node_id`,
      [since.toISOString()],
    );
    return rows.length;
  }

  taskSamples(taskId: string) {
    return this.db.query(`SELECT sampled_at AS "sampledAt", node_id AS "nodeId", cpu_percent AS "cpuPercent", mem_mb AS "memMb" FROM metric_samples WHERE task_id = $1 ORDER BY sampled_at`, [taskId]);
  }

  nodeRollups(nodeId: string, minutes: number) {
    return this.db.query(
      `SELECT minute, samples, cpu_avg AS "cpuAvg", cpu_max AS "cpuMax", mem_avg AS "memAvg", mem_max AS "memMax" FROM metric_rollups
       WHERE node_id = $1 AND minute > now() - ($2 || ' minutes')::interval ORDER BY minute`,
      [nodeId, String(minutes)],
    );
  }
}
