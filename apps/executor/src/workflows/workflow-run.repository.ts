import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { TaskStatus, WorkflowStatus, WorkflowTask } from '@kairos/contracts';
import { DATABASE, insertUpstreamFailedTasks, insertWorkflowTasks, type Database } from '@kairos/persistence';
import { cancelSnapshot, type DagRunSnapshot } from '@kairos/scheduling-core';

export const WORKFLOW_RUN_REPOSITORY = Symbol('WORKFLOW_RUN_REPOSITORY');

const PRODUCER = 'executor';

export interface WorkflowRunRow {
  id: string;
  name: string;
  status: WorkflowStatus;
  dag: { name: string; tasks: WorkflowTask[] };
  checkpoint: DagRunSnapshot;
  generation: number;
}

/** What one advancement writes: tasks to start, tasks that can never run, the new checkpoint and status. */
export interface AdvanceWrite {
  start: WorkflowTask[];
  upstreamFailed: WorkflowTask[];
  checkpoint: DagRunSnapshot;
  status: WorkflowStatus;
}

/** workflow_runs' progress (checkpoint, status) and the workflow task rows the executor inserts. */
export interface WorkflowRunRepository {
  /**
   * Locks a running run, reads its current generation's task statuses and lets `plan` decide; writes the
   * result (tasks with their queued events, checkpoint, status) in the same transaction. Null when the
   * run is unknown or no longer running; `inserted` counts the new task rows.
   */
  advanceLocked(runId: string, plan: (run: WorkflowRunRow, observed: Array<{ key: string; status: TaskStatus }>) => AdvanceWrite | null): Promise<{ inserted: number; status: WorkflowStatus } | null>;
  workflowRunOf(taskId: string): Promise<string | null>;
  /** Running runs with a finished task the checkpoint still shows running (a missed completion event). */
  staleRuns(limit: number): Promise<string[]>;
  /**
   * Cancels a run still running in `generation`: marks it cancelled (the advancer then leaves it alone)
   * and requests cancellation of that generation's queued and running tasks. False when it was not.
   */
  cancel(runId: string, generation: number): Promise<boolean>;
}

@Injectable()
export class PgWorkflowRunRepository implements WorkflowRunRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  advanceLocked(
    runId: string,
    plan: (run: WorkflowRunRow, observed: Array<{ key: string; status: TaskStatus }>) => AdvanceWrite | null,
  ): Promise<{ inserted: number; status: WorkflowStatus } | null> {
    return this.db.transaction(async (tx) => {
      const runs = await tx.query<WorkflowRunRow>(`SELECT id, name, status, dag, checkpoint, generation FROM workflow_runs WHERE id = $1 FOR UPDATE`, [runId]);
      const w = runs[0];
      if (!w || w.status !== 'running') return null;
      const observed = await tx.query<{ key: string; status: TaskStatus }>(
        `SELECT workflow_key AS key, status FROM tasks WHERE workflow_run_id = $1 AND workflow_generation = $2`,
        [runId, w.generation],
      );
      const write = plan(w, observed);
      if (!write) return { inserted: 0, status: w.status };
      const ids = await insertWorkflowTasks(tx, PRODUCER, { id: w.id, name: w.name, generation: w.generation }, write.start, randomUUID());
      await insertUpstreamFailedTasks(tx, w, write.upstreamFailed);
      await tx.query(
        `UPDATE workflow_runs SET checkpoint = $2::jsonb, status = $3, updated_at = now(),
           finished_at = CASE WHEN $3 = 'running' THEN NULL ELSE now() END
         WHERE id = $1`,
        [runId, JSON.stringify(write.checkpoint), write.status],
      );
      return { inserted: ids.length, status: write.status };
    });
  }

  async workflowRunOf(taskId: string): Promise<string | null> {
    const rows = await this.db.query<{ workflow_run_id: string | null }>(`SELECT workflow_run_id FROM tasks WHERE id = $1`, [taskId]);
    return rows[0]?.workflow_run_id ?? null;
  }

  cancel(runId: string, generation: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const runs = await tx.query<{ status: WorkflowStatus; generation: number; checkpoint: DagRunSnapshot }>(`SELECT status, generation, checkpoint FROM workflow_runs WHERE id = $1 FOR UPDATE`, [runId]);
      const w = runs[0];
      if (!w || w.status !== 'running' || w.generation !== generation) return false;
      // Tasks of the run that had not finished show as cancelled, not pending/running forever.
      await tx.query(`UPDATE workflow_runs SET status = 'cancelled', checkpoint = $2::jsonb, finished_at = now(), updated_at = now() WHERE id = $1`, [runId, JSON.stringify(cancelSnapshot(w.checkpoint))]);
      await tx.query(
        `UPDATE tasks SET cancel_requested_at = COALESCE(cancel_requested_at, now()), updated_at = now()
         WHERE workflow_run_id = $1 AND workflow_generation = $2 AND status IN ('queued', 'running')`,
        [runId, generation],
      );
      return true;
    });
  }

  async staleRuns(limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT DISTINCT w.id FROM workflow_runs w
       JOIN tasks t ON t.workflow_run_id = w.id AND t.workflow_generation = w.generation
       WHERE w.status = 'running'
         AND t.status IN ('succeeded', 'failed', 'cancelled', 'timed_out', 'upstream_failed')
         AND w.checkpoint -> 'tasks' -> t.workflow_key ->> 'status' = 'running'
       LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}
