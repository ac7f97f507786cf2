import { randomUUID } from 'node:crypto';
import { makeEnvelope, type WorkflowTask } from '@kairos/contracts';
import type { SqlExecutor } from './database';
import { appendToOutbox } from './outbox';

/**
 * Inserts runnable workflow tasks as ordinary queued `tasks` rows plus their task.queued.v1 events,
 * inside the caller's transaction. The unique (run, key, generation) index makes a repeat a no-op.
 * Returns the ids of rows actually inserted.
 */
const ROWS = `jsonb_to_recordset($1::jsonb) AS x(id uuid, name text, queue text, priority int, run jsonb, resources jsonb, labels jsonb, timeout_ms int, max_attempts int, workflow_key text)`;

const RUN_TENANT = `COALESCE((SELECT w.tenant FROM workflow_runs w WHERE w.id = $2), 'default')`;

export async function insertWorkflowTasks(
  tx: SqlExecutor,
  producer: string,
  run: { id: string; name: string; generation: number },
  tasks: readonly WorkflowTask[],
  traceId: string,
): Promise<string[]> {
  if (!tasks.length) return [];
  const rows = taskRows(run, tasks);
  // A workflow's tasks are its run's tenant's (read in the same transaction that inserted the run).
  const inserted = await tx.query<{ id: string; workflow_key: string; created_at: Date; tenant: string }>(
    `INSERT INTO tasks (id, name, queue, priority, run, resources, labels, timeout_ms, max_attempts, status, workflow_run_id, workflow_key, workflow_generation, tenant)
     SELECT x.id, x.name, x.queue, x.priority, x.run, x.resources, x.labels, x.timeout_ms, x.max_attempts, 'queued', $2, x.workflow_key, $3, ${RUN_TENANT}
     FROM ${ROWS}
     ON CONFLICT (workflow_run_id, workflow_key, workflow_generation) WHERE workflow_run_id IS NOT NULL DO NOTHING
     RETURNING id, workflow_key, created_at, tenant`,
    [JSON.stringify(rows), run.id, run.generation],
  );
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  await appendToOutbox(
    tx,
    producer,
    inserted.map((r) => {
      const t = byKey.get(r.workflow_key)!;
      return makeEnvelope(
        'task.queued.v1',
        r.id,
        { taskId: r.id, name: `${run.name}/${t.key}`, queue: t.queue, priority: t.priority, run: t.run, resources: t.resources, timeoutMs: t.timeoutMs, maxAttempts: t.maxAttempts, submittedAt: new Date(r.created_at).toISOString(), tenant: r.tenant },
        { traceId },
      );
    }),
  );
  return inserted.map((r) => r.id);
}

/**
 * Downstream of a terminal failure gets a visible, terminal task row (never claimed: not 'queued'), inside
 * the caller's transaction; a repeat is a no-op.
 */
export async function insertUpstreamFailedTasks(tx: SqlExecutor, run: { id: string; name: string; generation: number }, tasks: readonly WorkflowTask[]): Promise<void> {
  if (!tasks.length) return;
  await tx.query(
    `INSERT INTO tasks (id, name, queue, priority, run, resources, labels, timeout_ms, max_attempts, status, error, finished_at, workflow_run_id, workflow_key, workflow_generation, tenant)
     SELECT x.id, x.name, x.queue, x.priority, x.run, x.resources, x.labels, x.timeout_ms, x.max_attempts, 'upstream_failed', 'an upstream task failed', now(), $2, x.workflow_key, $3, ${RUN_TENANT}
     FROM ${ROWS}
     ON CONFLICT (workflow_run_id, workflow_key, workflow_generation) WHERE workflow_run_id IS NOT NULL DO NOTHING`,
    [JSON.stringify(taskRows(run, tasks)), run.id, run.generation],
  );
}

/** The task rows of workflow tasks, as the JSON `ROWS` reads. */
function taskRows(run: { id: string; name: string }, tasks: readonly WorkflowTask[]) {
  return tasks.map((t) => ({
    id: randomUUID(),
    name: `${run.name}/${t.key}`,
    queue: t.queue,
    priority: t.priority,
    run: t.run,
    resources: t.resources,
    labels: { ...t.labels, workflow: run.id, workflowKey: t.key },
    timeout_ms: t.timeoutMs,
    max_attempts: t.maxAttempts,
    workflow_key: t.key,
  }));
}
