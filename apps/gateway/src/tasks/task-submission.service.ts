import { randomUUID } from 'node:crypto';
import { encodeEnvelope, makeEnvelope, type SubmitTask } from '@kairos/contracts';
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
 * accepted task is never lost and never announced without being stored. An idempotency key maps a
 * repeated submission to the first task.
 */
export class TaskSubmissionService {
  constructor(
    private readonly db: Database,
    private readonly onCommit: () => void,
  ) {}

  async submit(spec: SubmitTask, traceId: string): Promise<{ task: TaskView; created: boolean }> {
    const id = randomUUID();
    // The queued event, with submittedAt filled in from the row's created_at by the statement below.
    const event = makeEnvelope(
      'task.queued.v1',
      id,
      { taskId: id, name: spec.name ?? null, queue: spec.queue, priority: spec.priority, run: spec.run, resources: spec.resources, timeoutMs: spec.timeoutMs, maxAttempts: spec.maxAttempts, submittedAt: '' },
      { traceId },
    );
    // Task row and outbox event in ONE statement (a data-modifying CTE is atomic on its own): one round
    // trip instead of BEGIN / INSERT / INSERT / COMMIT, which is what submission throughput is bound by.
    // A repeated idempotency key inserts neither.
    const inserted = await this.db.query<TaskRow>(
      `WITH t AS (
         INSERT INTO tasks (id, name, queue, priority, run, resources, labels, timeout_ms, max_attempts, idempotency_key, status)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, 'queued')
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING *
       ), o AS (
         INSERT INTO outbox (event_id, producer, topic, key, envelope, occurred_at)
         SELECT $11, 'gateway', 'task.queued.v1', t.id::text,
                jsonb_set($12::jsonb, '{payload,submittedAt}', to_jsonb(to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
                $13
         FROM t
       )
       SELECT * FROM t`,
      [
        id, spec.name ?? null, spec.queue, spec.priority, JSON.stringify(spec.run), JSON.stringify(spec.resources), JSON.stringify(spec.labels), spec.timeoutMs, spec.maxAttempts, spec.idempotencyKey ?? null,
        event.eventId, encodeEnvelope(event).toString('utf8'), event.occurredAt,
      ],
    );
    const result = inserted[0] ?? null;
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
