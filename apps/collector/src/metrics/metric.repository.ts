import { Inject, Injectable } from '@nestjs/common';
import type { MetricSampled } from '@kairos/contracts';
import { DATABASE, type Database } from '@kairos/persistence';
import { GroupBatcher } from '@kairos/platform';

export const METRIC_REPOSITORY = Symbol('METRIC_REPOSITORY');

export interface TaskSampleView {
  sampledAt: Date | string;
  nodeId: string;
  cpuPercent: number;
  memMb: number;
}

export interface NodeRollupView {
  minute: Date | string;
  samples: number;
  cpuAvg: number;
  cpuMax: number;
  memAvg: number;
  memMax: number;
}

/** The collector's metric tables: raw samples (idempotent by event id) and per-node minute roll-ups. */
export interface MetricRepository {
  /** Stores a sample; false when its event was already stored (redelivery). Resolves once durable. */
  insertSample(eventId: string, sample: MetricSampled): Promise<boolean>;
  /** Recomputes the roll-ups of every minute touched since `since` (idempotent upsert); returns rows written. */
  rollUpSince(since: Date): Promise<number>;
  taskSamples(taskId: string): Promise<TaskSampleView[]>;
  nodeRollups(nodeId: string, minutes: number): Promise<NodeRollupView[]>;
}

/** PostgreSQL: concurrent deliveries are group-committed, one multi-row INSERT per batch. */
@Injectable()
export class PgMetricRepository implements MetricRepository {
  private readonly samples = new GroupBatcher<{ eventId: string; m: MetricSampled }, boolean>(async (batch) => {
    const rows = await this.db.query<{ event_id: string }>(
      `INSERT INTO metric_samples (event_id, source, node_id, task_id, sampled_at, cpu_percent, mem_mb, net_percent)
       SELECT event_id, source, node_id, task_id, sampled_at, cpu_percent, mem_mb, net_percent
       FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, source text, node_id text, task_id uuid, sampled_at timestamptz, cpu_percent float8, mem_mb float8, net_percent float8)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [JSON.stringify(batch.map(({ eventId, m }) => ({ event_id: eventId, source: m.source, node_id: m.nodeId, task_id: m.taskId, sampled_at: m.sampledAt, cpu_percent: m.cpuPercent, mem_mb: m.memMb, net_percent: m.netPercent ?? null })))],
    );
    const stored = new Set(rows.map((r) => r.event_id));
    return batch.map((b) => stored.has(b.eventId));
  });

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  insertSample(eventId: string, m: MetricSampled): Promise<boolean> {
    return this.samples.add({ eventId, m });
  }

  async rollUpSince(since: Date): Promise<number> {
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

  taskSamples(taskId: string): Promise<TaskSampleView[]> {
    return this.db.query<TaskSampleView>(
      `SELECT sampled_at AS "sampledAt", node_id AS "nodeId", cpu_percent AS "cpuPercent", mem_mb AS "memMb" FROM metric_samples WHERE task_id = $1 ORDER BY sampled_at`,
      [taskId],
    );
  }

  nodeRollups(nodeId: string, minutes: number): Promise<NodeRollupView[]> {
    return this.db.query<NodeRollupView>(
      `SELECT minute, samples, cpu_avg AS "cpuAvg", cpu_max AS "cpuMax", mem_avg AS "memAvg", mem_max AS "memMax" FROM metric_rollups
       WHERE node_id = $1 AND minute > now() - ($2 || ' minutes')::interval ORDER BY minute`,
      [nodeId, String(minutes)],
    );
  }
}
