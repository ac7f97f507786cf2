import type { Envelope, MetricSampled, Topic } from '@kairos/contracts';
import { GroupBatcher } from '@kairos/platform';
import type { Database } from '@kairos/persistence';

/**
 * The collector's tables: the event log, raw samples (both idempotent by event id) and per-node minute
 * roll-ups. Concurrent deliveries are group-committed: one multi-row INSERT per batch.
 */
export class MetricStore {
  private readonly samples = new GroupBatcher<{ eventId: string; m: MetricSampled }, boolean>(async (batch) => {
    const rows = await this.db.query<{ event_id: string }>(
      `INSERT INTO metric_samples (event_id, source, node_id, task_id, sampled_at, cpu_percent, mem_mb)
       SELECT event_id, source, node_id, task_id, sampled_at, cpu_percent, mem_mb
       FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, source text, node_id text, task_id uuid, sampled_at timestamptz, cpu_percent float8, mem_mb float8)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [JSON.stringify(batch.map(({ eventId, m }) => ({ event_id: eventId, source: m.source, node_id: m.nodeId, task_id: m.taskId, sampled_at: m.sampledAt, cpu_percent: m.cpuPercent, mem_mb: m.memMb })))],
    );
    const stored = new Set(rows.map((r) => r.event_id));
    return batch.map((b) => stored.has(b.eventId));
  });

  private readonly events = new GroupBatcher<Envelope<Topic>, void>(async (batch) => {
    await this.db.query(
      `INSERT INTO event_log (event_id, topic, key, occurred_at, payload)
       SELECT event_id, topic, key, occurred_at, payload
       FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, topic text, key text, occurred_at timestamptz, payload jsonb)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(batch.map((e) => ({ event_id: e.eventId, topic: e.topic, key: e.key, occurred_at: e.occurredAt, payload: e.payload })))],
    );
    return batch.map(() => undefined);
  });

  constructor(private readonly db: Database) {}

  /** Stores a sample; false when its event was already stored (redelivery). Resolves once durable. */
  insert(eventId: string, m: MetricSampled): Promise<boolean> {
    return this.samples.add({ eventId, m });
  }

  /** Appends a lifecycle event to the event log (idempotent). Resolves once durable. */
  logEvent(e: Envelope<Topic>): Promise<void> {
    return this.events.add(e);
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
