import { Client } from 'pg';
import { METRIC_NAME, METRIC_SOURCE } from './load';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One statement on a fresh connection (the suite restarts PostgreSQL, so it keeps no connection open). */
export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end().catch(() => undefined);
  }
}

export interface FaultCounts {
  accepted: number;
  /** Accepted tasks that did not end succeeded within the settle time. */
  lost: number;
  /** Tasks with more than one succeeded attempt or more than one task.completed.v1. */
  completedTwice: number;
  /** Tasks whose lifecycle is out of order as produced (outbox) or as the collector received it (event_log). */
  outOfOrder: number;
  /** Produced events of these tasks the collector never stored. */
  eventsNotReceived: number;
  pointsAccepted: number;
  pointsLost: number;
  /** From the call until every accepted task had succeeded and every accepted point was stored, ms. */
  settleMs: number;
}

/**
 * Waits (bounded) for a phase's accepted tasks to finish, its events to reach the collector and its
 * confirmed metric points to be stored, then counts what went wrong.
 */
export async function settleAndCount(url: string, ids: string[], phase: string, pointTs: number[], timeoutMs: number): Promise<FaultCounts> {
  const t0 = Date.now();
  const deadline = t0 + timeoutMs;
  let succeeded = 0;
  while (ids.length) {
    const r = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND status = 'succeeded'`, [ids]);
    succeeded = r[0].n;
    if (succeeded === ids.length || Date.now() > deadline) break;
    await sleep(500);
  }
  const twiceAttempts = await query<{ id: string }>(
    url,
    `SELECT task_id::text AS id FROM attempts WHERE task_id = ANY($1::uuid[]) AND status = 'succeeded' GROUP BY task_id HAVING count(*) > 1
     UNION SELECT key AS id FROM outbox WHERE topic = 'task.completed.v1' AND key = ANY($2::text[]) GROUP BY key HAVING count(*) > 1`,
    [ids, ids],
  );
  // The producers' order per task (outbox id is the commit order): queued first, completed last, once each.
  const produced = await query<{ key: string; topics: string[] }>(
    url,
    `SELECT key, array_agg(topic ORDER BY id) AS topics FROM outbox WHERE key = ANY($1::text[]) AND topic LIKE 'task.%' AND topic <> 'task.lifecycle.v1' GROUP BY key`,
    [ids],
  );
  const bad = new Set<string>();
  const seen = new Set(produced.map((p) => p.key));
  for (const id of ids) if (!seen.has(id)) bad.add(id);
  for (const p of produced) {
    const t = p.topics;
    if (t[0] !== 'task.queued.v1' || t[t.length - 1] !== 'task.completed.v1' || t.filter((x) => x === 'task.queued.v1').length !== 1 || !t.includes('task.started.v1')) bad.add(p.key);
  }
  // What the collector received over Kafka: every produced event, and per task and topic in produced order
  // (an inversion: a later-produced event received strictly earlier).
  let notReceived = 0;
  for (;;) {
    const r = await query<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM outbox o LEFT JOIN event_log e ON e.event_id = o.event_id
       WHERE o.key = ANY($1::text[]) AND o.topic LIKE 'task.%' AND o.topic <> 'task.lifecycle.v1' AND e.event_id IS NULL`,
      [ids],
    );
    notReceived = r[0].n;
    if (notReceived === 0 || Date.now() > deadline) break;
    await sleep(500);
  }
  const inversions = await query<{ key: string }>(
    url,
    `SELECT DISTINCT o1.key FROM outbox o1
       JOIN outbox o2 ON o2.key = o1.key AND o2.topic = o1.topic AND o2.id > o1.id
       JOIN event_log e1 ON e1.event_id = o1.event_id
       JOIN event_log e2 ON e2.event_id = o2.event_id
     WHERE o1.key = ANY($1::text[]) AND e1.received_at > e2.received_at`,
    [ids],
  );
  for (const r of inversions) bad.add(r.key);
  // Metric points: every point the bus confirmed is stored (each has its own ts on the phase's series).
  const want = new Set(pointTs);
  let missing = want.size;
  for (;;) {
    const stored = await query<{ t: string }>(
      url,
      `SELECT round(extract(epoch FROM p.ts) * 1000)::bigint::text AS t FROM metric_points p JOIN metric_series s USING (series_id)
       WHERE s.source = $1 AND s.metric = $2 AND s.labels ->> 'phase' = $3`,
      [METRIC_SOURCE, METRIC_NAME, phase],
    );
    const have = new Set(stored.map((s) => Number(s.t)));
    missing = [...want].filter((t) => !have.has(t)).length;
    if (missing === 0 || Date.now() > deadline) break;
    await sleep(500);
  }
  return {
    accepted: ids.length,
    lost: ids.length - succeeded,
    completedTwice: twiceAttempts.length,
    outOfOrder: bad.size,
    eventsNotReceived: notReceived,
    pointsAccepted: want.size,
    pointsLost: missing,
    settleMs: Date.now() - t0,
  };
}
