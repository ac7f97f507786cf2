import { Inject, Injectable } from '@nestjs/common';
import type { Envelope, SubmitTask } from '@kairos/contracts';
import { appendToOutbox, DATABASE, type Database } from '@kairos/persistence';
import { GroupBatcher } from '@kairos/platform';
import { cursorTime, type Keyset } from '@kairos/runtime';

export const TASK_REPOSITORY = Symbol('GATEWAY_TASK_REPOSITORY');

export interface TaskRow {
  id: string;
  name: string | null;
  tenant: string;
  queue: string;
  priority: number;
  status: string;
  attempts: number;
  max_attempts: number;
  run: unknown;
  resources: unknown;
  exit_code: number | null;
  output_tail: string | null;
  error: string | null;
  node_id: string | null;
  predicted_p50_ms: number | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  idempotency_key: string | null;
}

export interface PendingSubmission {
  id: string;
  spec: SubmitTask;
  tenant: string;
  event: Envelope<'task.queued.v1'>;
}

export interface AttemptView {
  attempt: number;
  nodeId: string;
  executorId: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  exitCode: number | null;
  durationMs: number | null;
  error: string | null;
}

export interface TaskEventRow {
  topic: string;
  occurred_at: Date;
  envelope: { payload: Record<string, unknown> };
}

/**
 * What the gateway reads and writes of `tasks` (the executor owns the table; the gateway inserts
 * submissions and asks the executor to cancel, docs/architecture.md), plus the attempts and the
 * event log it shows.
 */
export interface TaskRepository {
  /** Inserts the task row and its queued event; null when the idempotency key was already used. */
  insertSubmission(s: PendingSubmission): Promise<TaskRow | null>;
  findByIdempotencyKey(key: string): Promise<TaskRow | undefined>;
  findById(id: string): Promise<TaskRow | undefined>;
  /** The compressed archive blob of a task retention archived (task_archive, executor-owned), or undefined. */
  findArchived(id: string): Promise<{ blob: Buffer; archivedAt: Date } | undefined>;
  attemptsOf(id: string): Promise<AttemptView[]>;
  eventsOf(id: string): Promise<TaskEventRow[]>;
  /**
   * Newest first, `limit` rows after `after`: summary rows (run without env/headers/body, the last 200
   * characters of output, the first 500 of the error), each with its cursor time.
   */
  list(filter: { status?: string; queue?: string; tenant?: string; limit: number; after?: Keyset }): Promise<Array<TaskRow & { cursor_t: string }>>;
  /** Sends a task.cancel.requested.v1 command (the executor owns the task's state) through the gateway's outbox. */
  requestCancel(command: Envelope<'task.cancel.requested.v1'>): Promise<void>;
  /** Tasks per status, of one tenant when given. */
  countsByStatus(tenant?: string): Promise<Record<string, number>>;
}

function isUndefinedTable(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  return e?.code === '42P01' || e?.driverError?.code === '42P01';
}

/** An attempts row as to_jsonb rendered it into an archive (snake_case, timestamps as ISO strings). */
export function attemptViewOfArchived(a: Record<string, unknown>): AttemptView {
  const n = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    attempt: Number(a.attempt),
    nodeId: String(a.node_id),
    executorId: String(a.executor_id),
    status: String(a.status),
    startedAt: new Date(String(a.started_at)),
    finishedAt: a.finished_at ? new Date(String(a.finished_at)) : null,
    exitCode: n(a.exit_code),
    durationMs: n(a.duration_ms),
    error: typeof a.error === 'string' ? a.error : null,
  };
}

@Injectable()
export class PgTaskRepository implements TaskRepository {
  /** Concurrent submissions share one INSERT statement (group commit): one round trip per batch. */
  private readonly inserts = new GroupBatcher<PendingSubmission, TaskRow | null>((batch) => this.insertBatch(batch));

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  insertSubmission(s: PendingSubmission): Promise<TaskRow | null> {
    return this.inserts.add(s);
  }

  /**
   * Task rows and their outbox events for a batch of submissions in ONE statement (a data-modifying CTE
   * is atomic on its own). Rows are inserted in arrival order, each with its own clock_timestamp(), so
   * FIFO order by created_at holds inside a batch. A repeated idempotency key inserts neither row nor
   * event; its slot is null.
   */
  private async insertBatch(batch: PendingSubmission[]): Promise<Array<TaskRow | null>> {
    const input = batch.map(({ id, spec, tenant, event }, ord) => ({
      id,
      tenant,
      name: spec.name ?? null,
      queue: spec.queue,
      priority: spec.priority,
      run: spec.run,
      resources: spec.resources,
      labels: spec.labels,
      timeout_ms: spec.timeoutMs,
      max_attempts: spec.maxAttempts,
      idempotency_key: spec.idempotencyKey ?? null,
      event_id: event.eventId,
      envelope: event,
      occurred_at: event.occurredAt,
      ord,
    }));
    const rows = await this.db.query<TaskRow>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, tenant text, name text, queue text, priority int, run jsonb, resources jsonb, labels jsonb,
           timeout_ms int, max_attempts int, idempotency_key text, event_id uuid, envelope jsonb, occurred_at timestamptz, ord int)
       ), t AS (
         INSERT INTO tasks (id, tenant, name, queue, priority, run, resources, labels, timeout_ms, max_attempts, idempotency_key, status, created_at)
         SELECT id, tenant, name, queue, priority, run, resources, labels, timeout_ms, max_attempts, idempotency_key, 'queued', clock_timestamp()
         FROM input ORDER BY ord
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING *
       ), o AS (
         INSERT INTO outbox (event_id, producer, topic, key, envelope, occurred_at)
         SELECT i.event_id, 'gateway', 'task.queued.v1', t.id::text,
                jsonb_set(i.envelope, '{payload,submittedAt}', to_jsonb(to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
                i.occurred_at
         FROM t JOIN input i ON i.id = t.id ORDER BY i.ord
       )
       SELECT * FROM t`,
      [JSON.stringify(input)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return batch.map((b) => byId.get(b.id) ?? null);
  }

  async findByIdempotencyKey(key: string): Promise<TaskRow | undefined> {
    return (await this.db.query<TaskRow>(`SELECT * FROM tasks WHERE idempotency_key = $1`, [key]))[0];
  }

  async findById(id: string): Promise<TaskRow | undefined> {
    return (await this.db.query<TaskRow>(`SELECT * FROM tasks WHERE id = $1`, [id]))[0];
  }

  /**
   * A database the executor has not migrated yet (a gateway started first on a fresh shared database)
   * has no task_archive: nothing is archived there, so an unknown task stays a 404, not a 500.
   */
  async findArchived(id: string): Promise<{ blob: Buffer; archivedAt: Date } | undefined> {
    try {
      const [r] = await this.db.query<{ blob: Buffer | Uint8Array; archived_at: Date }>(`SELECT blob, archived_at FROM task_archive WHERE id = $1 AND kind = 'task'`, [id]);
      return r ? { blob: Buffer.from(r.blob), archivedAt: new Date(r.archived_at) } : undefined;
    } catch (err) {
      if (isUndefinedTable(err)) return undefined;
      throw err;
    }
  }

  attemptsOf(id: string): Promise<AttemptView[]> {
    return this.db.query<AttemptView>(
      `SELECT attempt, node_id AS "nodeId", executor_id AS "executorId", status, started_at AS "startedAt", finished_at AS "finishedAt",
              exit_code AS "exitCode", duration_ms AS "durationMs", error FROM attempts WHERE task_id = $1 ORDER BY started_at`,
      [id],
    );
  }

  eventsOf(id: string): Promise<TaskEventRow[]> {
    return this.db.query<TaskEventRow>(`SELECT topic, occurred_at, envelope FROM outbox WHERE key = $1 ORDER BY occurred_at, id`, [id]);
  }

  list(filter: { status?: string; queue?: string; tenant?: string; limit: number; after?: Keyset }): Promise<Array<TaskRow & { cursor_t: string }>> {
    return this.db.query<TaskRow & { cursor_t: string }>(
      `SELECT id, tenant, name, queue, priority, status, attempts, max_attempts,
              jsonb_strip_nulls(jsonb_build_object('kind', run->'kind', 'command', run->'command', 'url', run->'url', 'method', run->'method', 'sleepMs', run->'sleepMs')) AS run,
              resources, exit_code, right(output_tail, 200) AS output_tail, left(error, 500) AS error, node_id, predicted_p50_ms,
              created_at, started_at, finished_at, idempotency_key, ${cursorTime('created_at')} AS cursor_t
         FROM tasks
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR queue = $2)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
          AND ($6::text IS NULL OR tenant = $6)
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [filter.status ?? null, filter.queue ?? null, filter.after?.t ?? null, filter.after?.id ?? null, filter.limit, filter.tenant ?? null],
    );
  }

  async requestCancel(command: Envelope<'task.cancel.requested.v1'>): Promise<void> {
    await this.db.transaction((tx) => appendToOutbox(tx, 'gateway', [command]));
  }

  async countsByStatus(tenant?: string): Promise<Record<string, number>> {
    const rows = await this.db.query<{ status: string; n: string }>(`SELECT status, count(*)::text AS n FROM tasks WHERE ($1::text IS NULL OR tenant = $1) GROUP BY status`, [tenant ?? null]);
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
