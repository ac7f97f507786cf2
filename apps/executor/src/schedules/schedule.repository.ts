import { Inject, Injectable } from '@nestjs/common';
import { ScheduleSchema, type Envelope, type Schedule } from '@kairos/contracts';
import { appendToOutbox, DATABASE, type Database } from '@kairos/persistence';
import { CLOSED_BREAKER, type ActiveRun, type BreakerState, type MissedTicksSummary, type PartitionLease, type TickRecord } from '@kairos/scheduling-core';

export const SCHEDULE_REPOSITORY = Symbol('EXECUTOR_SCHEDULE_REPOSITORY');

/** A schedule as the firing loop loads it: definition, durable state, active runs (task ids by shard key). */
export interface LoadedSchedule {
  readonly schedule: Schedule;
  /** The schedule's tenant: the tasks it fires are this tenant's. */
  readonly tenant: string;
  readonly revision: number;
  readonly deleted: boolean;
  /** Null for a schedule the executor never decided a tick of. */
  readonly decidedThroughMs: number | null;
  readonly breaker: BreakerState;
}

export interface LoadedActiveRun extends ActiveRun {
  readonly scheduleId: string;
  /** Task id of each shard key still queued or running. */
  readonly taskIds: ReadonlyMap<string, string>;
}

/** One fired shard, ready to insert: its tick row, its task row and its task.queued.v1 event. */
export interface FiredShardRow {
  readonly scheduleId: string;
  readonly tickAtMs: number;
  readonly shard: number;
  readonly shardCount: number;
  readonly taskId: string;
  readonly fireAtMs: number;
  readonly firedAtMs: number;
  /** Decided ahead: the task's run_after (it starts at the tick's instant); null: runnable at once. */
  readonly runAfterMs?: number | null;
  readonly catchUp: boolean;
  readonly trial: boolean;
  readonly idempotencyKey: string;
  readonly event: Envelope<'task.queued.v1'>;
  readonly labels: Record<string, string>;
}

export interface StateRow {
  readonly scheduleId: string;
  readonly decidedThroughMs: number;
  readonly breaker: BreakerState;
}

export interface TickWrite {
  readonly fired: readonly FiredShardRow[];
  readonly skipped: readonly TickRecord[];
  readonly misfires: readonly MissedTicksSummary[];
  readonly states: readonly StateRow[];
  /** task.cancel.requested.v1 commands for runs replaced under `replace` (applied by the commands consumer). */
  readonly cancels: readonly Envelope<'task.cancel.requested.v1'>[];
}

export interface TickWriteResult {
  /** False when a lease this write relied on changed hands: nothing was written. */
  readonly accepted: boolean;
  /** Task ids whose tick rows this write inserted (the others' ticks were decided by another replica). */
  readonly inserted: ReadonlySet<string>;
}

export interface TaskOutcomeRow {
  readonly taskId: string;
  readonly status: string;
  readonly startedAtMs: number | null;
  readonly finishedAtMs: number | null;
}

/**
 * The executor's schedule persistence (it owns schedule_state, schedule_ticks, schedule_misfires and
 * the planning leases; it reads `schedules`, which the gateway writes, and writes the tasks it fires).
 */
export interface ScheduleRepository {
  /**
   * Heartbeats `owner`, renews its leases, takes free or expired partitions up to its fair share
   * ⌈P ÷ live planners⌉ and gives back extras; returns the leases it holds afterwards.
   */
  claimPartitions(owner: string, partitionCount: number, ttlMs: number): Promise<PartitionLease[]>;
  releaseAll(owner: string): Promise<void>;
  /** Schedules of these partitions changed after `sinceRevision` (all when null), deleted ones included. */
  loadSchedules(partitions: readonly number[], partitionCount: number, sinceRevision: number | null): Promise<LoadedSchedule[]>;
  /** Fired ticks of these schedules with shards still queued or running (run state on take-over). */
  loadActiveRuns(scheduleIds: readonly string[]): Promise<LoadedActiveRun[]>;
  /** Writes one batch atomically, fenced by the leases of the partitions it touches. */
  writeTicks(owner: string, leases: readonly PartitionLease[], partitions: readonly number[], write: TickWrite): Promise<TickWriteResult>;
  /** Tasks among these that ended (any terminal status). */
  endedTasks(taskIds: readonly string[]): Promise<TaskOutcomeRow[]>;
}

interface ScheduleRow {
  id: string;
  tenant: string;
  definition: unknown;
  paused: boolean;
  revision: string;
  deleted_at: Date | null;
  decided_through: Date | null;
  breaker: BreakerState | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

@Injectable()
export class PgScheduleRepository implements ScheduleRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async claimPartitions(owner: string, partitionCount: number, ttlMs: number): Promise<PartitionLease[]> {
    return this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO schedule_partitions (partition) SELECT generate_series(0, $1::int - 1) ON CONFLICT DO NOTHING`, [partitionCount]);
      await tx.query(
        `INSERT INTO schedule_planners (owner, expires_at) VALUES ($1, now() + $2::int * interval '1 millisecond')
         ON CONFLICT (owner) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
        [owner, ttlMs],
      );
      const [live] = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM schedule_planners WHERE expires_at > now()`);
      const fair = Math.ceil(partitionCount / Math.max(1, Number(live?.n ?? 1)));
      // Renew what we hold (expired or not: an expired lease nobody took keeps its token).
      const held = await tx.query<{ partition: number }>(
        `UPDATE schedule_partitions SET expires_at = now() + $2::int * interval '1 millisecond'
         WHERE owner = $1 AND partition < $3 RETURNING partition`,
        [owner, ttlMs, partitionCount],
      );
      if (held.length > fair) {
        const extra = held.map((h) => h.partition).sort((a, b) => b - a).slice(0, held.length - fair);
        await tx.query(`UPDATE schedule_partitions SET owner = NULL, expires_at = '-infinity' WHERE owner = $1 AND partition = ANY($2::int[])`, [owner, extra]);
      } else if (held.length < fair) {
        await tx.query(
          `UPDATE schedule_partitions SET owner = $1, token = token + 1, expires_at = now() + $2::int * interval '1 millisecond'
           WHERE partition IN (
             SELECT partition FROM schedule_partitions
             WHERE partition < $4 AND (owner IS NULL OR expires_at <= now()) AND owner IS DISTINCT FROM $1
             ORDER BY partition LIMIT $3 FOR UPDATE SKIP LOCKED)`,
          [owner, ttlMs, fair - held.length, partitionCount],
        );
      }
      const rows = await tx.query<{ partition: number; owner: string; token: string; expires_at: Date }>(
        `SELECT partition, owner, token, expires_at FROM schedule_partitions WHERE owner = $1 AND partition < $2 ORDER BY partition`,
        [owner, partitionCount],
      );
      return rows.map((r) => ({ partition: r.partition, owner: r.owner, token: Number(r.token), expiresAtMs: new Date(r.expires_at).getTime() }));
    });
  }

  async releaseAll(owner: string): Promise<void> {
    await this.db.query(`UPDATE schedule_partitions SET owner = NULL, expires_at = '-infinity' WHERE owner = $1`, [owner]);
    await this.db.query(`DELETE FROM schedule_planners WHERE owner = $1`, [owner]);
  }

  async loadSchedules(partitions: readonly number[], partitionCount: number, sinceRevision: number | null): Promise<LoadedSchedule[]> {
    if (partitions.length === 0) return [];
    // Overlap of 2 s on incremental loads: a change whose revision was drawn before a later one but
    // committed after it is still seen (the caller ignores revisions it already has).
    const rows = await this.db.query<ScheduleRow>(
      `SELECT s.id, s.tenant, s.definition, s.paused, s.revision, s.deleted_at, st.decided_through, st.breaker
       FROM schedules s LEFT JOIN schedule_state st ON st.schedule_id = s.id
       WHERE (s.hash % $3::int) = ANY($1::int[])
         AND ($2::bigint IS NULL OR s.revision > $2::bigint OR s.updated_at > now() - interval '2 seconds')
         AND ($2::bigint IS NOT NULL OR s.deleted_at IS NULL)`,
      [[...partitions], sinceRevision, partitionCount],
    );
    const out: LoadedSchedule[] = [];
    for (const r of rows) {
      const parsed = ScheduleSchema.safeParse({ ...(r.definition as object), paused: r.paused });
      if (!parsed.success) continue; // written by the gateway through the same schema; a bad row never plans
      out.push({
        schedule: parsed.data,
        tenant: r.tenant,
        revision: Number(r.revision),
        deleted: r.deleted_at !== null,
        decidedThroughMs: r.decided_through ? new Date(r.decided_through).getTime() : null,
        breaker: r.breaker ?? CLOSED_BREAKER,
      });
    }
    return out;
  }

  async loadActiveRuns(scheduleIds: readonly string[]): Promise<LoadedActiveRun[]> {
    if (scheduleIds.length === 0) return [];
    const rows = await this.db.query<{ schedule_id: string; tick_at: Date; task_id: string; idempotency_key: string }>(
      `SELECT st.schedule_id, st.tick_at, st.task_id, t.idempotency_key
       FROM schedule_ticks st JOIN tasks t ON t.id = st.task_id
       WHERE st.schedule_id = ANY($1::text[]) AND st.outcome = 'fired' AND t.status IN ('queued', 'running')
       ORDER BY st.tick_at, st.shard`,
      [[...scheduleIds]],
    );
    const byTick = new Map<string, { scheduleId: string; tickKey: string; scheduledAtMs: number; shardKeys: string[]; taskIds: Map<string, string> }>();
    for (const r of rows) {
      const at = new Date(r.tick_at).getTime();
      const tickKey = `${r.schedule_id}@${iso(at)}`;
      let e = byTick.get(tickKey);
      if (e === undefined) byTick.set(tickKey, (e = { scheduleId: r.schedule_id, tickKey, scheduledAtMs: at, shardKeys: [], taskIds: new Map() }));
      e.shardKeys.push(r.idempotency_key);
      e.taskIds.set(r.idempotency_key, r.task_id);
    }
    return [...byTick.values()];
  }

  async writeTicks(owner: string, leases: readonly PartitionLease[], partitions: readonly number[], write: TickWrite): Promise<TickWriteResult> {
    return this.db.transaction(async (tx) => {
      // Fencing: the partitions this batch touches must still be ours under the same token. FOR SHARE
      // holds off a concurrent take-over (its UPDATE waits) until this batch committed.
      const want = leases.filter((l) => partitions.includes(l.partition));
      const rows = await tx.query<{ partition: number; token: string }>(
        `SELECT partition, token FROM schedule_partitions WHERE owner = $1 AND partition = ANY($2::int[]) FOR SHARE`,
        [owner, [...partitions]],
      );
      const current = new Map(rows.map((r) => [r.partition, Number(r.token)]));
      if (want.length !== partitions.length || want.some((l) => current.get(l.partition) !== l.token)) return { accepted: false, inserted: new Set<string>() };

      const inserted = new Set<string>();
      if (write.fired.length > 0) {
        const input = write.fired.map((f, ord) => {
          const p = f.event.payload;
          return {
            schedule_id: f.scheduleId, tick_at: iso(f.tickAtMs), shard: f.shard, shard_count: f.shardCount, task_id: f.taskId,
            fire_at: iso(f.fireAtMs), fired_at: iso(f.firedAtMs), catch_up: f.catchUp, trial: f.trial,
            tenant: p.tenant, name: p.name, queue: p.queue, priority: p.priority, run: p.run, resources: p.resources, labels: f.labels,
            timeout_ms: p.timeoutMs, max_attempts: p.maxAttempts, idempotency_key: f.idempotencyKey,
            event_id: f.event.eventId, envelope: f.event, occurred_at: f.event.occurredAt, ord,
            run_after: f.runAfterMs === null || f.runAfterMs === undefined ? null : iso(f.runAfterMs),
          };
        });
        const ins = await tx.query<{ task_id: string }>(
          `WITH input AS (
             SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(schedule_id text, tick_at timestamptz, shard int, shard_count int, task_id uuid,
               fire_at timestamptz, fired_at timestamptz, catch_up boolean, trial boolean, tenant text, name text, queue text, priority int,
               run jsonb, resources jsonb, labels jsonb, timeout_ms int, max_attempts int, idempotency_key text, event_id uuid, envelope jsonb,
               occurred_at timestamptz, ord int, run_after timestamptz)
           ), ticks AS (
             INSERT INTO schedule_ticks (schedule_id, tick_at, shard, shard_count, outcome, task_id, fire_at, fired_at, catch_up, trial, owner)
             SELECT schedule_id, tick_at, shard, shard_count, 'fired', task_id, fire_at, fired_at, catch_up, trial, $2 FROM input ORDER BY ord
             ON CONFLICT ON CONSTRAINT schedule_ticks_once DO NOTHING RETURNING task_id
           ), t AS (
             INSERT INTO tasks (id, tenant, name, queue, priority, run, resources, labels, timeout_ms, max_attempts, idempotency_key, status, created_at, run_after)
             SELECT i.task_id, i.tenant, i.name, i.queue, i.priority, i.run, i.resources, i.labels, i.timeout_ms, i.max_attempts, i.idempotency_key, 'queued', clock_timestamp(),
               COALESCE(i.run_after, now())
             FROM input i JOIN ticks k ON k.task_id = i.task_id ORDER BY i.ord
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
           ), o AS (
             INSERT INTO outbox (event_id, producer, topic, key, envelope, occurred_at)
             SELECT i.event_id, 'executor', 'task.queued.v1', t.id::text, i.envelope, i.occurred_at FROM t JOIN input i ON i.task_id = t.id
           )
           SELECT task_id::text AS task_id FROM ticks`,
          [JSON.stringify(input), owner],
        );
        for (const r of ins) inserted.add(r.task_id);
      }
      if (write.skipped.length > 0 || write.states.length > 0 || write.misfires.length > 0) {
        const skipped = write.skipped.map((s) => ({
          schedule_id: s.scheduleId, tick_at: iso(s.scheduledAtMs), reason: s.skipReason, detail: s.detail,
          fire_at: s.fireAtMs === null ? null : iso(s.fireAtMs), catch_up: s.catchUp,
        }));
        const states = write.states.map((s) => ({ schedule_id: s.scheduleId, decided_through: iso(s.decidedThroughMs), breaker: s.breaker }));
        const misfires = write.misfires.map((m) => ({ schedule_id: m.scheduleId, count: m.count, count_exact: m.countExact, first_at: iso(m.firstAtMs), last_at: iso(m.lastAtMs) }));
        await tx.query(
          `WITH sk AS (
             INSERT INTO schedule_ticks (schedule_id, tick_at, shard, shard_count, outcome, skip_reason, detail, fire_at, catch_up, owner)
             SELECT schedule_id, tick_at, 0, 1, 'skipped', reason, detail, fire_at, catch_up, $4
             FROM jsonb_to_recordset($1::jsonb) AS x(schedule_id text, tick_at timestamptz, reason text, detail text, fire_at timestamptz, catch_up boolean)
             ON CONFLICT ON CONSTRAINT schedule_ticks_once DO NOTHING
           ), mf AS (
             INSERT INTO schedule_misfires (schedule_id, count, count_exact, first_at, last_at)
             SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(schedule_id text, count int, count_exact boolean, first_at timestamptz, last_at timestamptz)
           )
           INSERT INTO schedule_state (schedule_id, decided_through, breaker, updated_at)
           SELECT schedule_id, decided_through, breaker, now() FROM jsonb_to_recordset($2::jsonb) AS x(schedule_id text, decided_through timestamptz, breaker jsonb)
           ON CONFLICT (schedule_id) DO UPDATE SET decided_through = GREATEST(schedule_state.decided_through, EXCLUDED.decided_through),
             breaker = EXCLUDED.breaker, updated_at = now()`,
          [JSON.stringify(skipped), JSON.stringify(states), JSON.stringify(misfires), owner],
        );
      }
      if (write.cancels.length > 0) await appendToOutbox(tx, 'executor', [...write.cancels]);
      return { accepted: true, inserted };
    });
  }

  async endedTasks(taskIds: readonly string[]): Promise<TaskOutcomeRow[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.db.query<{ id: string; status: string; started_at: Date | null; finished_at: Date | null }>(
      `SELECT id, status, started_at, finished_at FROM tasks WHERE id = ANY($1::uuid[]) AND status NOT IN ('queued', 'running')`,
      [[...taskIds]],
    );
    return rows.map((r) => ({
      taskId: r.id,
      status: r.status,
      startedAtMs: r.started_at ? new Date(r.started_at).getTime() : null,
      finishedAtMs: r.finished_at ? new Date(r.finished_at).getTime() : null,
    }));
  }
}
