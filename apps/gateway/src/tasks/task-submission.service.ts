import { randomUUID } from 'node:crypto';
import { makeEnvelope, type Envelope, type SubmitTask } from '@kairos/contracts';
import { GroupBatcher } from '@kairos/platform';
import type { Database } from '@kairos/persistence';
import { GatewayError } from '../errors/gateway.errors';

export interface TaskView {
  id: string;
  name: string | null;
  queue: string;
  priority: number;
  status: string;
  attempts: number;
  maxAttempts: number;
  run: unknown;
  resources: unknown;
  exitCode: number | null;
  outputTail: string | null;
  error: string | null;
  nodeId: string | null;
  predictedP50Ms: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

interface TaskRow {
  id: string;
  name: string | null;
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

/**
 * Submission writes the task row and its `task.queued.v1` event atomically (outbox), so an
 * accepted task is never lost and never announced without being stored; the answer is sent only
 * after that write committed. An idempotency key maps a
 * repeated submission to the first task.
 */
interface PendingSubmission {
  id: string;
  spec: SubmitTask;
  event: Envelope<'task.queued.v1'>;
}

export class TaskSubmissionService {
  /** Concurrent submissions share one INSERT statement (group commit): one round trip per batch. */
  private readonly inserts = new GroupBatcher<PendingSubmission, TaskRow | null>((batch) => this.insertBatch(batch));

  constructor(
    private readonly db: Database,
    private readonly onCommit: () => void,
  ) {}

  async submit(spec: SubmitTask, traceId: string): Promise<{ task: TaskView; created: boolean }> {
    const id = randomUUID();
    // The queued event, with submittedAt filled in from the row's created_at by the insert.
    const event = makeEnvelope(
      'task.queued.v1',
      id,
      { taskId: id, name: spec.name ?? null, queue: spec.queue, priority: spec.priority, run: spec.run, resources: spec.resources, timeoutMs: spec.timeoutMs, maxAttempts: spec.maxAttempts, submittedAt: '' },
      { traceId },
    );
    const result = await this.inserts.add({ id, spec, event });
    if (result) {
      this.onCommit();
      return { task: toView(result), created: true };
    }
    const existing = await this.db.query<TaskRow>(`SELECT * FROM tasks WHERE idempotency_key = $1`, [spec.idempotencyKey]);
    const prior = existing[0];
    if (!prior || JSON.stringify(prior.run) !== JSON.stringify(spec.run)) {
      throw new GatewayError('IDEMPOTENCY_CONFLICT', `idempotencyKey ${spec.idempotencyKey} was already used for a different task`, { idempotencyKey: spec.idempotencyKey, taskId: prior?.id });
    }
    return { task: toView(prior), created: false };
  }

  /**
   * Task rows and their outbox events for a batch of submissions in ONE statement (a data-modifying CTE
   * is atomic on its own). Rows are inserted in arrival order, each with its own clock_timestamp(), so
   * FIFO order by created_at holds inside a batch. A repeated idempotency key inserts neither row nor
   * event; its slot is null.
   */
  private async insertBatch(batch: PendingSubmission[]): Promise<Array<TaskRow | null>> {
    const input = batch.map(({ id, spec, event }, ord) => ({
      id,
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
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, name text, queue text, priority int, run jsonb, resources jsonb, labels jsonb,
           timeout_ms int, max_attempts int, idempotency_key text, event_id uuid, envelope jsonb, occurred_at timestamptz, ord int)
       ), t AS (
         INSERT INTO tasks (id, name, queue, priority, run, resources, labels, timeout_ms, max_attempts, idempotency_key, status, created_at)
         SELECT id, name, queue, priority, run, resources, labels, timeout_ms, max_attempts, idempotency_key, 'queued', clock_timestamp()
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

  async get(id: string): Promise<TaskView & { attemptsDetail: unknown[]; events: unknown[] }> {
    const rows = await this.db.query<TaskRow>(`SELECT * FROM tasks WHERE id = $1`, [id]);
    if (!rows.length) throw new GatewayError('TASK_NOT_FOUND', `task ${id} not found`, { taskId: id });
    const attempts = await this.db.query(
      `SELECT attempt, node_id AS "nodeId", executor_id AS "executorId", status, started_at AS "startedAt", finished_at AS "finishedAt",
              exit_code AS "exitCode", duration_ms AS "durationMs", error FROM attempts WHERE task_id = $1 ORDER BY started_at`,
      [id],
    );
    const events = await this.db.query<{ topic: string; occurred_at: Date; envelope: { payload: Record<string, unknown> } }>(
      `SELECT topic, occurred_at, envelope FROM outbox WHERE key = $1 ORDER BY occurred_at, id`,
      [id],
    );
    return {
      ...toView(rows[0]),
      attemptsDetail: attempts,
      events: events.map((e) => ({ topic: e.topic, at: new Date(e.occurred_at).toISOString(), ...summarise(e.envelope.payload) })),
    };
  }

  async list(filter: { status?: string; queue?: string; limit: number }): Promise<TaskView[]> {
    const rows = await this.db.query<TaskRow>(
      `SELECT * FROM tasks WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR queue = $2) ORDER BY created_at DESC LIMIT $3`,
      [filter.status ?? null, filter.queue ?? null, filter.limit],
    );
    return rows.map(toView);
  }

  async requestCancel(id: string): Promise<TaskView> {
    const rows = await this.db.query<TaskRow>(
      `UPDATE tasks SET cancel_requested_at = COALESCE(cancel_requested_at, now()), updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING *`,
      [id],
    );
    if (rows.length) return toView(rows[0]);
    const t = await this.get(id);
    throw new GatewayError('TASK_ALREADY_FINISHED', `task ${id} already ended as ${t.status}`, { taskId: id, status: t.status });
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.query<{ status: string; n: string }>(`SELECT status, count(*)::text AS n FROM tasks GROUP BY status`);
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}

function summarise(p: Record<string, unknown>): Record<string, unknown> {
  const { attempt, nodeId, status, exitCode, durationMs } = p;
  return Object.fromEntries(Object.entries({ attempt, nodeId, status, exitCode, durationMs }).filter(([, v]) => v !== undefined));
}

function iso(d: Date | null): string | null {
  return d ? new Date(d).toISOString() : null;
}

function toView(r: TaskRow): TaskView {
  const started = r.started_at ? new Date(r.started_at).getTime() : null;
  const finished = r.finished_at ? new Date(r.finished_at).getTime() : null;
  return {
    id: r.id,
    name: r.name,
    queue: r.queue,
    priority: r.priority,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    run: r.run,
    resources: r.resources,
    exitCode: r.exit_code,
    outputTail: r.output_tail,
    error: r.error,
    nodeId: r.node_id,
    predictedP50Ms: r.predicted_p50_ms,
    createdAt: new Date(r.created_at).toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    durationMs: started !== null && finished !== null ? finished - started : null,
  };
}
