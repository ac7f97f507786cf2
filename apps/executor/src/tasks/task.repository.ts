import { Inject, Injectable } from '@nestjs/common';
import { makeEnvelope, type Envelope, type RunSpec, type ResourceRequest, type TaskStatus } from '@kairos/contracts';
import { GroupBatcher } from '@kairos/platform';
import { appendToOutbox, DATABASE, type Database, type SqlExecutor } from '@kairos/persistence';
import { DEFAULT_TENANT, isTerminalStatus } from '@kairos/contracts';
import { EXECUTOR_SETTINGS, type ExecutorSettings } from '../core/executor-settings';
import { nextStatusAfterAttempt, retryDelayMs } from './task-state-machine';

export const TASK_REPOSITORY = Symbol('TASK_REPOSITORY');

export interface RunnableTask {
  id: string;
  name: string | null;
  /** The tenant the task belongs to (quotas and fair share are per tenant). */
  tenant: string;
  queue: string;
  priority: number;
  resources: ResourceRequest;
  createdAt: Date;
  predictedP50Ms: number | null;
  attempts: number;
}

/** One dispatch: the task, the node, and the executor that runs it (the node's; default the claimer). */
export interface ClaimRequest {
  taskId: string;
  nodeId: string;
  executorId?: string;
}

/** How an attempt a queue owner dispatched ended (read back to feed the policy the observed run time). */
export interface EndedAttempt {
  taskId: string;
  attempt: number;
  status: string;
  durationMs: number | null;
}

export interface ClaimedTask extends RunnableTask {
  /** The executor that runs the attempt (holds its lease). */
  leaseOwner: string;
  run: RunSpec;
  timeoutMs: number;
  maxAttempts: number;
  nodeId: string;
  attempt: number;
  lostCount: number;
  startedAt: Date;
  workflowRunId: string | null;
  /** Not before: a task claimed ahead of its run_after is started by a timer at this instant. */
  runAfter?: Date;
}

/** A queue owner's ready index (tasks due within `aheadMs`) and when the next later task comes due. */
export interface DueTasks {
  ready: RunnableTask[];
  /** run_after of the earliest queued task of these queues not yet within `aheadMs` (null: none). */
  nextRunAfterMs: number | null;
}

/** What completing an attempt decided: the task's next status, the retry back-off, the attempts charged to its budget. */
export interface CompletionPlan {
  next: TaskStatus;
  delayMs: number;
  chargedAttempts: number;
}

/** A task whose running attempt was lost with its executor, and what lease recovery did with it. */
export interface RecoveredTask {
  id: string;
  status: TaskStatus;
  nodeId: string | null;
  attempt: number;
  leaseOwner: string;
  /** Lost attempts so far, this one included. */
  lostCount: number;
  reason: string;
}

export interface AttemptOutcome {
  outcome: 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  exitCode: number | null;
  outputTail: string;
  error: string | null;
  durationMs: number;
  /** Claimed ahead: when the attempt really started (after waiting for run_after), recorded as its start. */
  startedAtMs?: number | null;
}

interface TaskRow {
  id: string;
  name: string | null;
  tenant?: string;
  queue: string;
  priority: number;
  resources: ResourceRequest;
  run: RunSpec;
  timeout_ms: number;
  max_attempts: number;
  attempts: number;
  lost_count: number;
  node_id: string | null;
  created_at: Date;
  started_at: Date | null;
  run_after?: Date | null;
  predicted_p50_ms: number | null;
  workflow_run_id?: string | null;
}

const PRODUCER = 'executor';

interface PendingCompletion {
  task: ClaimedTask;
  result: AttemptOutcome;
  next: TaskStatus;
  terminal: boolean;
  delayMs: number;
  event: Envelope<'task.completed.v1'> | null;
}

/**
 * Every task status change the executor makes. Each is atomic (one transaction or one statement) and
 * appends its event to the outbox in the same unit, and each guards on the row's current status and lease, so a fenced-off
 * executor (one whose lease expired) can change nothing.
 */
export interface TaskRepository {
  /** Every runnable task (queued, due, not cancelled) of the given queues, oldest first: a queue owner's ready index. */
  listReady(queues: string[]): Promise<RunnableTask[]>;
  /**
   * listReady, plus the tasks due (run_after) within `aheadMs`, which are claimed ahead and started at
   * their run_after; and the run_after of the next task after those, to pass again then.
   */
  listDue(queues: string[], aheadMs: number): Promise<DueTasks>;
  /**
   * Claims the given tasks for the given nodes, each leased to the executor that runs it; tasks another
   * executor took meanwhile are skipped. With `fenced`, only tasks of queues this executor owns
   * (queue_owners, unexpired) are claimed: an owner that lost its queue can dispatch nothing.
   */
  claim(assignments: ClaimRequest[], opts?: { fenced?: boolean }): Promise<ClaimedTask[]>;
  /** Running attempts leased to this executor that it is not running yet (dispatched to its nodes by a queue owner). */
  adopt(running: string[]): Promise<ClaimedTask[]>;
  /** Of the given attempts, those that have ended (any outcome), with the runner's measured duration. */
  endedAttempts(keys: Array<{ taskId: string; attempt: number }>): Promise<EndedAttempt[]>;
  /**
   * Records an attempt's end; the task's new status, or null when this executor no longer held the lease.
   * `planned` hears what was decided (next status, back-off, attempts charged) before the write.
   */
  completeAttempt(task: ClaimedTask, result: AttemptOutcome, planned?: (plan: CompletionPlan) => void): Promise<TaskStatus | null>;
  renewLeases(): Promise<number>;
  /** Requeues (or fails) tasks whose executor stopped renewing its lease. Any executor may run this. */
  recoverExpiredLeases(limit?: number): Promise<RecoveredTask[]>;
  /**
   * At start: the attempts still leased to this executor's id belong to its previous incarnation (the
   * id is stable across restarts) and died with it; they are lost and requeued now, not after LEASE_MS.
   */
  recoverOwnLeases(): Promise<RecoveredTask[]>;
  /** Ends this executor's running attempt as `lost` (restart_runner) and requeues it; null when the lease was gone. */
  requeueRestarted(task: ClaimedTask, error: string): Promise<TaskStatus | null>;
  /** Cancels queued tasks whose cancellation was requested; returns ids of running ones this executor must stop. */
  applyCancellations(): Promise<string[]>;
  /** Stores the analyzer's estimate on a still-queued task (for the policies). */
  recordPrediction(taskId: string, p50Ms: number, p90Ms: number): Promise<void>;
  /** Marks a queued or running task for cancellation (applyCancellations acts on it); false when it had ended. */
  requestCancel(taskId: string): Promise<boolean>;
}

/** PostgreSQL: claims with FOR UPDATE SKIP LOCKED, group-committed completions and predictions. */
@Injectable()
export class PgTaskRepository implements TaskRepository {
  private readonly executorId: string;
  private readonly leaseMs: number;
  /** Jitter source of retry back-off (tests may replace it). */
  random: () => number = Math.random;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EXECUTOR_SETTINGS) settings: Pick<ExecutorSettings, 'executorId' | 'leaseMs'>,
  ) {
    this.executorId = settings.executorId;
    this.leaseMs = settings.leaseMs;
  }

  async listReady(queues: string[]): Promise<RunnableTask[]> {
    if (!queues.length) return [];
    const rows = await this.db.query<TaskRow>(
      `SELECT id, name, tenant, queue, priority, resources, created_at, predicted_p50_ms, attempts FROM tasks
       WHERE status = 'queued' AND run_after <= now() AND cancel_requested_at IS NULL AND queue = ANY($1::text[])
       ORDER BY created_at, id`,
      [queues],
    );
    return rows.map(toRunnable);
  }

  async listDue(queues: string[], aheadMs: number): Promise<DueTasks> {
    if (!queues.length) return { ready: [], nextRunAfterMs: null };
    // One statement: the next run_after comes back on every row (and on a row of nulls when nothing is due).
    const rows = await this.db.query<Omit<TaskRow, 'id'> & { id: string | null; next_run_after: Date | null }>(
      `SELECT n.next_run_after, r.* FROM (
         SELECT min(run_after) AS next_run_after FROM tasks
         WHERE status = 'queued' AND run_after > now() + $2::int * interval '1 millisecond' AND cancel_requested_at IS NULL AND queue = ANY($1::text[])
       ) n LEFT JOIN LATERAL (
         SELECT id, name, tenant, queue, priority, resources, created_at, predicted_p50_ms, attempts FROM tasks
         WHERE status = 'queued' AND run_after <= now() + $2::int * interval '1 millisecond' AND cancel_requested_at IS NULL AND queue = ANY($1::text[])
         ORDER BY created_at, id
       ) r ON true`,
      [queues, aheadMs],
    );
    const next = rows[0]?.next_run_after;
    return {
      ready: rows.filter((r): r is TaskRow & { next_run_after: Date | null } => r.id !== null).map(toRunnable),
      nextRunAfterMs: next ? new Date(next).getTime() : null,
    };
  }

  async claim(assignments: ClaimRequest[], opts: { fenced?: boolean } = {}): Promise<ClaimedTask[]> {
    if (!assignments.length) return [];
    const byTask = new Map(assignments.map((a) => [a.taskId, a]));
    return this.db.transaction(async (tx) => {
      const locked = await tx.query<{ id: string }>(
        `SELECT id FROM tasks WHERE id = ANY($1::uuid[]) AND status = 'queued' AND cancel_requested_at IS NULL
           AND (NOT $2::boolean OR EXISTS (SELECT 1 FROM queue_owners o WHERE o.queue = tasks.queue AND o.owner = $3 AND o.expires_at > now()))
         FOR UPDATE SKIP LOCKED`,
        [[...byTask.keys()], opts.fenced === true, this.executorId],
      );
      if (!locked.length) return [];
      const ids = locked.map((r) => r.id);
      const owners = ids.map((id) => byTask.get(id)!.executorId ?? this.executorId);
      const rows = await tx.query<TaskRow & { lease_owner: string }>(
        `UPDATE tasks t SET status = 'running', attempts = t.attempts + 1, node_id = a.node_id,
           lease_owner = a.owner, lease_expires_at = now() + ($4 || ' milliseconds')::interval,
           started_at = GREATEST(now(), t.run_after), updated_at = now()
         FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::text[]) AS node_id, unnest($3::text[]) AS owner) a
         WHERE t.id = a.id
         RETURNING t.*`,
        [ids, ids.map((id) => byTask.get(id)!.nodeId), owners, String(this.leaseMs)],
      );
      await tx.query(
        `INSERT INTO attempts (task_id, attempt, node_id, executor_id, status, started_at)
         SELECT unnest($1::uuid[]), unnest($2::int[]), unnest($3::text[]), unnest($4::text[]), 'running', unnest($5::timestamptz[])`,
        [rows.map((r) => r.id), rows.map((r) => r.attempts), rows.map((r) => r.node_id), rows.map((r) => r.lease_owner), rows.map((r) => r.started_at)],
      );
      const claimed = rows.map(toClaimed);
      await appendToOutbox(
        tx,
        PRODUCER,
        claimed.map((c) => makeEnvelope('task.started.v1', c.id, { taskId: c.id, attempt: c.attempt, nodeId: c.nodeId, startedAt: c.startedAt.toISOString() })),
      );
      return claimed;
    });
  }

  async adopt(running: string[]): Promise<ClaimedTask[]> {
    const rows = await this.db.query<TaskRow & { lease_owner: string }>(
      `SELECT * FROM tasks WHERE status = 'running' AND lease_owner = $1 AND NOT (id = ANY($2::uuid[])) ORDER BY started_at`,
      [this.executorId, running],
    );
    return rows.map(toClaimed);
  }

  async endedAttempts(keys: Array<{ taskId: string; attempt: number }>): Promise<EndedAttempt[]> {
    if (!keys.length) return [];
    const rows = await this.db.query<{ task_id: string; attempt: number; status: string; duration_ms: number | null }>(
      `SELECT a.task_id, a.attempt, a.status, a.duration_ms FROM attempts a
       JOIN (SELECT unnest($1::uuid[]) AS task_id, unnest($2::int[]) AS attempt) k ON k.task_id = a.task_id AND k.attempt = a.attempt
       WHERE a.status <> 'running'`,
      [keys.map((k) => k.taskId), keys.map((k) => k.attempt)],
    );
    return rows.map((r) => ({ taskId: r.task_id, attempt: r.attempt, status: r.status, durationMs: r.duration_ms }));
  }

  /**
   * Records an attempt's end. Returns the task's new status, or null when this executor no longer held the
   * lease (the attempt is then recorded as abandoned and nothing is published). Concurrent completions
   * are group-committed: task rows, attempt rows and the completed events of a batch are written by ONE
   * statement (a data-modifying CTE is atomic on its own) — one round trip for the batch instead of five
   * per task (BEGIN, three writes, COMMIT), which is what completion throughput is bound by.
   */
  async completeAttempt(task: ClaimedTask, result: AttemptOutcome, planned?: (plan: CompletionPlan) => void): Promise<TaskStatus | null> {
    // Attempts lost with a dead executor do not count against the task's own retry budget.
    const chargedAttempts = task.attempt - task.lostCount;
    const next = nextStatusAfterAttempt(result.outcome, chargedAttempts, task.maxAttempts, 0);
    const terminal = isTerminalStatus(next);
    const delayMs = terminal ? 0 : retryDelayMs(task.attempt, this.random());
    planned?.({ next, delayMs, chargedAttempts });
    const event = terminal ? completedEvent(task, next, result) : null;
    const updated = await this.completions.add({ task, result, next, terminal, delayMs, event });
    return updated ? next : null;
  }

  private readonly completions = new GroupBatcher<PendingCompletion, boolean>((batch) => this.completeBatch(batch));

  private async completeBatch(batch: PendingCompletion[]): Promise<boolean[]> {
    const input = batch.map((c, ord) => ({
      task_id: c.task.id,
      attempt: c.task.attempt,
      next: c.next,
      terminal: c.terminal,
      delay_ms: c.delayMs,
      outcome: c.result.outcome,
      exit_code: c.result.exitCode,
      output_tail: c.result.outputTail,
      error: c.result.error,
      duration_ms: c.result.durationMs,
      started_at: c.result.startedAtMs === null || c.result.startedAtMs === undefined ? null : new Date(c.result.startedAtMs).toISOString(),
      event_id: c.event?.eventId ?? null,
      envelope: c.event,
      occurred_at: c.event?.occurredAt ?? null,
      ord,
    }));
    const rows = await this.db.query<{ id: string }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(task_id uuid, attempt int, next text, terminal boolean, delay_ms int, outcome text,
           exit_code int, output_tail text, error text, duration_ms int, started_at timestamptz, event_id uuid, envelope jsonb, occurred_at timestamptz, ord int)
       ), t AS (
         UPDATE tasks SET status = i.next, exit_code = i.exit_code, output_tail = i.output_tail, error = i.error,
           started_at = COALESCE(i.started_at, tasks.started_at),
           finished_at = CASE WHEN i.terminal THEN now() ELSE NULL END,
           run_after = CASE WHEN i.terminal THEN tasks.run_after ELSE now() + i.delay_ms * interval '1 millisecond' END,
           lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
         FROM input i
         WHERE tasks.id = i.task_id AND tasks.status = 'running' AND tasks.lease_owner = $2 AND tasks.attempts = i.attempt
         RETURNING tasks.id
       ), a AS (
         UPDATE attempts SET status = CASE WHEN t.id IS NOT NULL THEN i.outcome ELSE 'abandoned' END,
           started_at = COALESCE(i.started_at, attempts.started_at), finished_at = now(), exit_code = i.exit_code, duration_ms = i.duration_ms, output_tail = i.output_tail, error = i.error
         FROM input i LEFT JOIN t ON t.id = i.task_id
         WHERE attempts.task_id = i.task_id AND attempts.attempt = i.attempt AND attempts.status = 'running'
       ), o AS (
         INSERT INTO outbox (event_id, producer, topic, key, envelope, occurred_at)
         SELECT i.event_id, '${PRODUCER}', 'task.completed.v1', t.id::text, i.envelope, i.occurred_at
         FROM t JOIN input i ON i.task_id = t.id WHERE i.event_id IS NOT NULL ORDER BY i.ord
       )
       SELECT id FROM t`,
      [JSON.stringify(input), this.executorId],
    );
    const done = new Set(rows.map((r) => r.id));
    return batch.map((c) => done.has(c.task.id));
  }

  async renewLeases(): Promise<number> {
    const rows = await this.db.query(
      `UPDATE tasks SET lease_expires_at = now() + ($2 || ' milliseconds')::interval
       WHERE status = 'running' AND lease_owner = $1 RETURNING id`,
      [this.executorId, String(this.leaseMs)],
    );
    return rows.length;
  }

  /** Requeues (or fails) tasks whose executor stopped renewing its lease. Any executor may run this. */
  async recoverExpiredLeases(limit = 200): Promise<RecoveredTask[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<TaskRow & { lease_owner: string }>(
        `SELECT id, name, queue, node_id, attempts, max_attempts, lost_count, run, lease_owner, started_at FROM tasks
         WHERE status = 'running' AND lease_expires_at < now() ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      const out: RecoveredTask[] = [];
      const events: Envelope[] = [];
      for (const r of rows) {
        const reason = `attempt ${r.attempts} lost: executor ${r.lease_owner} stopped renewing its lease`;
        const lost = await this.loseAttempt(tx, r, reason);
        events.push(...lost.events);
        out.push({ id: r.id, status: lost.status, nodeId: r.node_id, attempt: r.attempts, leaseOwner: r.lease_owner, lostCount: r.lost_count + 1, reason });
      }
      await appendToOutbox(tx, PRODUCER, events);
      return out;
    });
  }

  async recoverOwnLeases(): Promise<RecoveredTask[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<TaskRow & { lease_owner: string }>(
        `SELECT id, name, queue, node_id, attempts, max_attempts, lost_count, run, lease_owner, started_at FROM tasks
         WHERE status = 'running' AND lease_owner = $1 FOR UPDATE`,
        [this.executorId],
      );
      const out: RecoveredTask[] = [];
      const events: Envelope[] = [];
      for (const r of rows) {
        const reason = `attempt ${r.attempts} lost: executor ${r.lease_owner} restarted while running it`;
        const lost = await this.loseAttempt(tx, r, reason);
        events.push(...lost.events);
        out.push({ id: r.id, status: lost.status, nodeId: r.node_id, attempt: r.attempts, leaseOwner: r.lease_owner, lostCount: r.lost_count + 1, reason });
      }
      await appendToOutbox(tx, PRODUCER, events);
      return out;
    });
  }

  /**
   * Ends this executor's running attempt as `lost` (a restart_runner repair stopped it) and requeues the
   * task without charging its retry budget. Returns null when the lease was no longer ours.
   */
  async requeueRestarted(task: ClaimedTask, error: string): Promise<TaskStatus | null> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<TaskRow & { lease_owner: string }>(
        `SELECT id, name, queue, node_id, attempts, max_attempts, lost_count, run, lease_owner, started_at FROM tasks
         WHERE id = $1 AND status = 'running' AND lease_owner = $2 AND attempts = $3 FOR UPDATE`,
        [task.id, this.executorId, task.attempt],
      );
      if (!rows.length) return null;
      const { status, events } = await this.loseAttempt(tx, rows[0], error);
      await appendToOutbox(tx, PRODUCER, events);
      return status;
    });
  }

  /**
   * Records a running attempt as lost and requeues its task (or fails it once too many attempts were
   * lost); its events: task.attempt.lost.v1, then task.completed.v1 when that made the task fail.
   */
  private async loseAttempt(tx: SqlExecutor, r: TaskRow & { lease_owner: string }, error: string): Promise<{ status: TaskStatus; events: Envelope[] }> {
    const next = nextStatusAfterAttempt('lost', r.attempts, r.max_attempts, r.lost_count + 1);
    await tx.query(
      `UPDATE tasks SET status = $2, lost_count = lost_count + 1, lease_owner = NULL, lease_expires_at = NULL,
         error = $3, finished_at = CASE WHEN $2 = 'queued' THEN NULL ELSE now() END, updated_at = now()
       WHERE id = $1`,
      [r.id, next, error],
    );
    await tx.query(`UPDATE attempts SET status = 'lost', finished_at = now(), error = $3 WHERE task_id = $1 AND attempt = $2 AND status = 'running'`, [r.id, r.attempts, error]);
    const lost = makeEnvelope('task.attempt.lost.v1', r.id, {
      taskId: r.id,
      attempt: r.attempts,
      nodeId: r.node_id,
      executorId: r.lease_owner,
      reason: error,
      lostAt: new Date().toISOString(),
      next: isTerminalStatus(next) ? 'failed' : 'queued',
    });
    if (!isTerminalStatus(next)) return { status: next, events: [lost] };
    const durationMs = r.started_at ? Date.now() - new Date(r.started_at).getTime() : 0;
    const event = completedEvent({ id: r.id, name: r.name, queue: r.queue, run: r.run, attempt: r.attempts, nodeId: r.node_id }, next, { outcome: 'failed', exitCode: null, outputTail: '', error, durationMs });
    return { status: next, events: [lost, event] };
  }

  /** Cancels queued tasks whose cancellation was requested; returns ids of running ones this executor must stop. */
  async applyCancellations(): Promise<string[]> {
    await this.db.transaction(async (tx) => {
      const rows = await tx.query<TaskRow>(
        `UPDATE tasks SET status = 'cancelled', finished_at = now(), error = 'cancelled before start', updated_at = now()
         WHERE id IN (SELECT id FROM tasks WHERE status = 'queued' AND cancel_requested_at IS NOT NULL FOR UPDATE SKIP LOCKED)
         RETURNING id, name, queue, run, attempts, node_id`,
      );
      await appendToOutbox(
        tx,
        PRODUCER,
        rows.map((r) => completedEvent({ id: r.id, name: r.name, queue: r.queue, run: r.run, attempt: Math.max(1, r.attempts), nodeId: r.node_id }, 'cancelled', { outcome: 'cancelled', exitCode: null, outputTail: '', error: 'cancelled before start', durationMs: 0 })),
      );
    });
    const running = await this.db.query<{ id: string }>(
      `SELECT id FROM tasks WHERE status = 'running' AND lease_owner = $1 AND cancel_requested_at IS NOT NULL`,
      [this.executorId],
    );
    return running.map((r) => r.id);
  }

  async requestCancel(taskId: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE tasks SET cancel_requested_at = COALESCE(cancel_requested_at, now()), updated_at = now()
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`,
      [taskId],
    );
    return rows.length > 0;
  }

  /** Stores the analyzer's estimate on a still-queued task (for the policies); concurrent ones share one UPDATE. */
  recordPrediction(taskId: string, p50Ms: number, p90Ms: number): Promise<void> {
    return this.predictions.add({ taskId, p50Ms, p90Ms });
  }

  private readonly predictions = new GroupBatcher<{ taskId: string; p50Ms: number; p90Ms: number }, void>(async (batch) => {
    await this.db.query(
      `UPDATE tasks SET predicted_p50_ms = p.p50, predicted_p90_ms = p.p90
       FROM jsonb_to_recordset($1::jsonb) AS p(id uuid, p50 float8, p90 float8)
       WHERE tasks.id = p.id AND tasks.status = 'queued'`,
      [JSON.stringify(batch.map((b) => ({ id: b.taskId, p50: b.p50Ms, p90: b.p90Ms })))],
    );
    return batch.map(() => undefined);
  });
}

function toClaimed(r: TaskRow & { lease_owner: string }): ClaimedTask {
  return {
    ...toRunnable(r),
    leaseOwner: r.lease_owner,
    run: r.run,
    timeoutMs: r.timeout_ms,
    maxAttempts: r.max_attempts,
    nodeId: r.node_id!,
    attempt: r.attempts,
    lostCount: r.lost_count,
    startedAt: new Date(r.started_at!),
    workflowRunId: r.workflow_run_id ?? null,
    ...(r.run_after ? { runAfter: new Date(r.run_after) } : {}),
  };
}

function toRunnable(r: TaskRow): RunnableTask {
  return {
    id: r.id,
    name: r.name,
    tenant: r.tenant ?? DEFAULT_TENANT,
    queue: r.queue,
    priority: r.priority,
    resources: r.resources,
    createdAt: new Date(r.created_at),
    predictedP50Ms: r.predicted_p50_ms,
    attempts: r.attempts,
  };
}

function completedEvent(
  task: { id: string; name: string | null; queue: string; run: RunSpec; attempt: number; nodeId: string | null; workflowRunId?: string | null },
  status: TaskStatus,
  result: AttemptOutcome,
): Envelope<'task.completed.v1'> {
  return makeEnvelope('task.completed.v1', task.id, {
    taskId: task.id,
    attempt: task.attempt,
    nodeId: task.nodeId,
    status,
    exitCode: result.exitCode,
    durationMs: Math.max(0, Math.round(result.durationMs)),
    outputTail: result.outputTail,
    error: result.error,
    finishedAt: new Date().toISOString(),
    queue: task.queue,
    name: task.name,
    kind: task.run.kind,
    ...(task.workflowRunId !== undefined ? { workflowRunId: task.workflowRunId } : {}),
  });
}

