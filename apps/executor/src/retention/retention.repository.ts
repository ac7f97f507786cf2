import { Inject, Injectable } from '@nestjs/common';
import { TERMINAL_STATUSES } from '@kairos/contracts';
import { DATABASE, encodeTaskArchive, TASK_ARCHIVE_FORMAT, type Database, type SqlExecutor, type TaskArchiveRecord } from '@kairos/persistence';
import type { RetentionMode } from './retention-plan';

export const RETENTION_REPOSITORY = Symbol('RETENTION_REPOSITORY');

/** What one batch of the tasks step removed (archived or deleted). */
export interface TaskPurgeCounts {
  tasks: number;
  attempts: number;
  events: number;
}

/**
 * The SQL of retention (executor-owned tables: tasks, attempts, attempt_processes, workflow_runs,
 * task_archive, retention_lease; outbox rows keyed by a task id). Each batch is one transaction over at
 * most `limit` rows taken with FOR UPDATE SKIP LOCKED, so it never waits on, or holds up, a task the hot
 * path is transitioning.
 */
export interface RetentionRepository {
  /**
   * Takes (or renews) the cluster-wide retention lease for `ttlMs`; false when another owner holds it,
   * or (on a first take, `minGapMs` > 0) when a run finished less than `minGapMs` ago.
   */
  acquireLease(owner: string, ttlMs: number, minGapMs: number): Promise<boolean>;
  /** Gives the lease up; `finished` records the run's end, spacing the next run. */
  releaseLease(owner: string, finished: boolean): Promise<void>;
  /** Archives or deletes up to `limit` expired terminal tasks with their attempts, process records and events. */
  purgeTasks(cutoff: Date, limit: number, mode: RetentionMode): Promise<TaskPurgeCounts>;
  /** Archives or deletes up to `limit` workflow runs finished before `cutoff` that have no task rows left. */
  purgeWorkflowRuns(cutoff: Date, limit: number, mode: RetentionMode): Promise<number>;
  /** Deletes the (published) events of up to `limit` expired terminal tasks, which stay; returns the tasks handled. */
  dropEvents(cutoff: Date, limit: number): Promise<{ tasks: number; events: number }>;
  /**
   * Clears the output text of up to `limit` expired terminal tasks and their attempts, which stay, and
   * marks them (output_dropped_at); returns the tasks handled and how many of them had output.
   */
  dropOutputs(cutoff: Date, limit: number): Promise<{ tasks: number; outputs: number }>;
}

const TERMINAL = `ARRAY[${TERMINAL_STATUSES.map((s) => `'${s}'`).join(',')}]::text[]`;

/**
 * Whether task `t` may go at cutoff $1: terminal, finished before the cutoff; not in a workflow run that
 * is still running or finished at or after the cutoff (a run goes as a whole); not the task of the latest
 * fired tick of a schedule that still exists (its engine may still be reading its outcome).
 */
const EXPIRED_TASK = `t.status = ANY(${TERMINAL}) AND t.finished_at < $1
  AND (t.workflow_run_id IS NULL OR EXISTS (
        SELECT 1 FROM workflow_runs w WHERE w.id = t.workflow_run_id AND w.status <> 'running' AND COALESCE(w.finished_at, w.updated_at) < $1))
  AND NOT EXISTS (
        SELECT 1 FROM schedule_ticks st JOIN schedules s ON s.id = st.schedule_id AND s.deleted_at IS NULL
        WHERE st.task_id = t.id
          AND st.tick_at >= (SELECT max(l.tick_at) FROM schedule_ticks l WHERE l.schedule_id = st.schedule_id AND l.outcome = 'fired'))`;

/** No event of task `t` still waits in the outbox (the relay must publish it first). */
const NO_UNPUBLISHED_EVENT = `NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key = t.id::text AND o.published_at IS NULL)`;

type Json = Record<string, unknown>;

/** Archives compressed between two yields to the event loop. */
const ENCODE_SLICE = 25;

@Injectable()
export class PgRetentionRepository implements RetentionRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async acquireLease(owner: string, ttlMs: number, minGapMs: number): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE retention_lease SET owner = $1, expires_at = now() + make_interval(secs => $2::float8 / 1000)
        WHERE name = 'retention'
          AND (owner = $1 AND expires_at > now()
               OR (owner IS NULL OR expires_at <= now())
                  AND (last_finished_at IS NULL OR last_finished_at <= now() - make_interval(secs => $3::float8 / 1000)))
        RETURNING name`,
      [owner, ttlMs, minGapMs],
    );
    return rows.length === 1;
  }

  async releaseLease(owner: string, finished: boolean): Promise<void> {
    await this.db.query(
      `UPDATE retention_lease SET owner = NULL, expires_at = '-infinity',
              last_finished_at = CASE WHEN $2::boolean THEN now() ELSE last_finished_at END
        WHERE name = 'retention' AND owner = $1`,
      [owner, finished],
    );
  }

  purgeTasks(cutoff: Date, limit: number, mode: RetentionMode): Promise<TaskPurgeCounts> {
    return this.db.transaction(async (tx) => {
      const picked = await tx.query<{ id: string; workflow_run_id: string | null }>(
        `SELECT t.id, t.workflow_run_id FROM tasks t
          WHERE t.finished_at IS NOT NULL AND ${EXPIRED_TASK} AND ${NO_UNPUBLISHED_EVENT}
          ORDER BY t.finished_at LIMIT $2 FOR UPDATE OF t SKIP LOCKED`,
        [cutoff, limit],
      );
      const ids = await this.withoutRunningRuns(tx, picked);
      if (!ids.length) return { tasks: 0, attempts: 0, events: 0 };
      if (mode === 'archive') await this.archiveTasks(tx, ids);
      const events = await tx.query<{ id: string }>(`DELETE FROM outbox WHERE key = ANY($1::text[]) RETURNING id`, [ids]);
      await tx.query(`DELETE FROM attempt_processes WHERE task_id = ANY($1::uuid[])`, [ids]);
      const attempts = await tx.query<{ attempt: number }>(`DELETE FROM attempts WHERE task_id = ANY($1::uuid[]) RETURNING attempt`, [ids]);
      const tasks = await tx.query<{ id: string }>(`DELETE FROM tasks WHERE id = ANY($1::uuid[]) RETURNING id`, [ids]);
      return { tasks: tasks.length, attempts: attempts.length, events: events.length };
    });
  }

  /**
   * Re-reads the workflow runs of picked tasks under FOR SHARE: a rerun that committed after the pick
   * made its run `running` again, and its tasks stay. The share lock holds a rerun off until this commits.
   */
  private async withoutRunningRuns(tx: SqlExecutor, picked: Array<{ id: string; workflow_run_id: string | null }>): Promise<string[]> {
    const runIds = [...new Set(picked.map((p) => p.workflow_run_id).filter((r): r is string => r !== null))];
    if (!runIds.length) return picked.map((p) => p.id);
    const finished = await tx.query<{ id: string }>(`SELECT id FROM workflow_runs WHERE id = ANY($1::uuid[]) AND status <> 'running' FOR SHARE`, [runIds]);
    const ok = new Set(finished.map((r) => r.id));
    return picked.filter((p) => p.workflow_run_id === null || ok.has(p.workflow_run_id)).map((p) => p.id);
  }

  private async archiveTasks(tx: SqlExecutor, ids: string[]): Promise<void> {
    const rows = await tx.query<{ id: string; row: Json }>(`SELECT t.id, to_jsonb(t) AS row FROM tasks t WHERE t.id = ANY($1::uuid[])`, [ids]);
    const attempts = await tx.query<{ task_id: string; row: Json }>(
      `SELECT a.task_id, to_jsonb(a) AS row FROM attempts a WHERE a.task_id = ANY($1::uuid[]) ORDER BY a.task_id, a.attempt`,
      [ids],
    );
    const events = await tx.query<{ key: string; row: Json }>(`SELECT o.key, to_jsonb(o) AS row FROM outbox o WHERE o.key = ANY($1::text[]) ORDER BY o.id`, [ids]);
    const attemptsOf = groupBy(attempts, (a) => a.task_id);
    const eventsOf = groupBy(events, (e) => e.key);
    const records = rows.map((r): TaskArchiveRecord => ({
      format: 1,
      kind: 'task',
      row: parsed(r.row),
      attempts: (attemptsOf.get(r.id) ?? []).map((a) => parsed(a.row)),
      events: (eventsOf.get(r.id) ?? []).map((e) => parsed(e.row)),
    }));
    await this.insertArchive(tx, records.map((rec) => ({ rec, id: String(rec.row.id), status: String(rec.row.status), workflowRunId: (rec.row.workflow_run_id as string | null) ?? null, finishedAt: String(rec.row.finished_at) })));
  }

  private async insertArchive(tx: SqlExecutor, items: Array<{ rec: TaskArchiveRecord; id: string; status: string; workflowRunId: string | null; finishedAt: string }>): Promise<void> {
    if (!items.length) return;
    // Compressed in slices with a yield to the event loop between them: the executor's hot path (claims,
    // heartbeats, completions) runs in this process, and one batch of 500 is tens of ms of gzip.
    const blobs: Buffer[] = [];
    for (let i = 0; i < items.length; i += ENCODE_SLICE) {
      for (const it of items.slice(i, i + ENCODE_SLICE)) blobs.push(encodeTaskArchive(it.rec));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // bytea travels as hex text: the same on pg and PGlite.
    await tx.query(
      `INSERT INTO task_archive (id, kind, status, workflow_run_id, finished_at, format, blob)
       SELECT x.id, x.kind, x.status, x.workflow_run_id, x.finished_at, $2, decode(x.blob, 'hex')
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, kind text, status text, workflow_run_id uuid, finished_at timestamptz, blob text)
       ON CONFLICT (id) DO NOTHING`,
      [
        JSON.stringify(items.map((i, k) => ({ id: i.id, kind: i.rec.kind, status: i.status, workflow_run_id: i.workflowRunId, finished_at: i.finishedAt, blob: blobs[k]!.toString('hex') }))),
        TASK_ARCHIVE_FORMAT,
      ],
    );
  }

  purgeWorkflowRuns(cutoff: Date, limit: number, mode: RetentionMode): Promise<number> {
    return this.db.transaction(async (tx) => {
      const runs = await tx.query<{ id: string; row: Json }>(
        `SELECT w.id, to_jsonb(w) AS row FROM workflow_runs w
          WHERE w.status <> 'running' AND COALESCE(w.finished_at, w.updated_at) < $1
            AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.workflow_run_id = w.id)
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key = w.id::text AND o.published_at IS NULL)
          ORDER BY COALESCE(w.finished_at, w.updated_at) LIMIT $2 FOR UPDATE OF w SKIP LOCKED`,
        [cutoff, limit],
      );
      if (!runs.length) return 0;
      const ids = runs.map((r) => r.id);
      if (mode === 'archive') {
        await this.insertArchive(
          tx,
          runs.map((r) => {
            const row = parsed(r.row);
            return { rec: { format: 1, kind: 'workflow_run', row, attempts: [], events: [] }, id: r.id, status: String(row.status), workflowRunId: r.id, finishedAt: String(row.finished_at ?? row.updated_at) };
          }),
        );
      }
      await tx.query(`DELETE FROM outbox WHERE key = ANY($1::text[])`, [ids]);
      return (await tx.query(`DELETE FROM workflow_runs WHERE id = ANY($1::uuid[]) RETURNING id`, [ids])).length;
    });
  }

  dropEvents(cutoff: Date, limit: number): Promise<{ tasks: number; events: number }> {
    return this.db.transaction(async (tx) => {
      const picked = await tx.query<{ id: string }>(
        `SELECT t.id FROM tasks t
          WHERE t.finished_at IS NOT NULL AND t.events_dropped_at IS NULL AND ${EXPIRED_TASK} AND ${NO_UNPUBLISHED_EVENT}
          ORDER BY t.finished_at LIMIT $2 FOR UPDATE OF t SKIP LOCKED`,
        [cutoff, limit],
      );
      if (!picked.length) return { tasks: 0, events: 0 };
      const ids = picked.map((p) => p.id);
      const events = await tx.query(`DELETE FROM outbox WHERE key = ANY($1::text[]) AND published_at IS NOT NULL RETURNING id`, [ids]);
      await tx.query(`UPDATE tasks SET events_dropped_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
      return { tasks: ids.length, events: events.length };
    });
  }

  dropOutputs(cutoff: Date, limit: number): Promise<{ tasks: number; outputs: number }> {
    return this.db.transaction(async (tx) => {
      const picked = await tx.query<{ id: string }>(
        `SELECT t.id FROM tasks t
          WHERE t.finished_at IS NOT NULL AND t.output_dropped_at IS NULL AND ${EXPIRED_TASK}
          ORDER BY t.finished_at LIMIT $2 FOR UPDATE OF t SKIP LOCKED`,
        [cutoff, limit],
      );
      if (!picked.length) return { tasks: 0, outputs: 0 };
      const ids = picked.map((p) => p.id);
      const attempts = await tx.query<{ task_id: string }>(`UPDATE attempts SET output_tail = NULL WHERE task_id = ANY($1::uuid[]) AND output_tail IS NOT NULL RETURNING task_id`, [ids]);
      const tasks = await tx.query<{ id: string; had: boolean }>(
        `UPDATE tasks t SET output_tail = NULL, output_dropped_at = now() FROM tasks old
          WHERE t.id = ANY($1::uuid[]) AND old.id = t.id RETURNING t.id, old.output_tail IS NOT NULL AS had`,
        [ids],
      );
      const had = new Set([...attempts.map((a) => a.task_id), ...tasks.filter((t) => t.had).map((t) => t.id)]);
      return { tasks: ids.length, outputs: had.size };
    });
  }
}

/** Rows by key, each group in the rows' order. */
function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const g = out.get(k);
    if (g) g.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** to_jsonb comes back parsed from pg and as text from some drivers. */
function parsed(v: unknown): Json {
  return (typeof v === 'string' ? JSON.parse(v) : v) as Json;
}
