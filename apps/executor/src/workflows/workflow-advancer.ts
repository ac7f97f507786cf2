import { randomUUID } from 'node:crypto';
import type { TaskStatus, WorkflowStatus, WorkflowTask } from '@kairos/contracts';
import { insertUpstreamFailedTasks, insertWorkflowTasks, type Database } from '@kairos/persistence';
import { snapshotRun, type DagRunSnapshot } from '@kairos/scheduling-core';
import { dagOf, planAdvance } from './workflow-advance.policy';

const PRODUCER = 'executor';

interface WorkflowRow {
  id: string;
  name: string;
  status: WorkflowStatus;
  dag: { name: string; tasks: WorkflowTask[] };
  checkpoint: DagRunSnapshot;
  generation: number;
}

export interface AdvanceResult {
  inserted: number;
  status: WorkflowStatus;
}

/**
 * Moves workflow runs forward. Each step locks the run row, resumes from its checkpoint in
 * PostgreSQL (never from memory), inserts newly runnable tasks with their outbox events and saves the
 * new checkpoint in the same transaction, so any executor can do it and a crash loses nothing.
 */
export class WorkflowAdvancer {
  /** Per run: the advance in progress, and one not yet started that later requests share. */
  private readonly running = new Map<string, Promise<AdvanceResult | null>>();
  private readonly queued = new Map<string, Promise<AdvanceResult | null>>();

  constructor(
    private readonly db: Database,
    private readonly onInserted: () => void,
  ) {}

  /**
   * Called for every task.completed.v1; tasks outside workflows are ignored. `workflowRunId` comes from
   * the event when its producer knew it (null = no workflow); only when absent is the task row read.
   */
  async onTaskCompleted(taskId: string, workflowRunId?: string | null): Promise<AdvanceResult | null> {
    let runId = workflowRunId;
    if (runId === undefined) {
      const rows = await this.db.query<{ workflow_run_id: string | null }>(`SELECT workflow_run_id FROM tasks WHERE id = $1`, [taskId]);
      runId = rows[0]?.workflow_run_id ?? null;
    }
    return runId ? this.request(runId) : null;
  }

  /**
   * Coalesces advancement requests for one run: completions that arrive while an advance is running
   * share a single follow-up advance, which starts after the current one and so sees every task row
   * committed before those events. A wide fan-out then costs a few advances instead of one per task.
   */
  request(runId: string): Promise<AdvanceResult | null> {
    const waiting = this.queued.get(runId);
    if (waiting) return waiting;
    const prev = this.running.get(runId) ?? Promise.resolve(null);
    const p: Promise<AdvanceResult | null> = prev
      .catch(() => null)
      .then(() => {
        // Started: requests from now on need another advance, since their rows may be missed by this one.
        this.queued.delete(runId);
        this.running.set(runId, p);
        return this.advance(runId);
      })
      .finally(() => {
        if (this.running.get(runId) === p) this.running.delete(runId);
      });
    this.queued.set(runId, p);
    return p;
  }

  async advance(runId: string): Promise<AdvanceResult | null> {
    const result = await this.db.transaction(async (tx) => {
      const runs = await tx.query<WorkflowRow>(`SELECT id, name, status, dag, checkpoint, generation FROM workflow_runs WHERE id = $1 FOR UPDATE`, [runId]);
      const w = runs[0];
      if (!w || w.status !== 'running') return null;
      const dag = dagOf(w.dag.tasks);
      const observed = await tx.query<{ key: string; status: TaskStatus }>(
        `SELECT workflow_key AS key, status FROM tasks WHERE workflow_run_id = $1 AND workflow_generation = $2`,
        [runId, w.generation],
      );
      const plan = planAdvance(dag, w.checkpoint, observed);
      if (!plan.changed) return { inserted: 0, status: w.status };
      const byKey = new Map(w.dag.tasks.map((t) => [t.key, t]));
      const ids = await insertWorkflowTasks(tx, PRODUCER, { id: w.id, name: w.name, generation: w.generation }, plan.start.map((k) => byKey.get(k)!), randomUUID());
      await insertUpstreamFailedTasks(tx, w, plan.upstreamFailed.map((k) => byKey.get(k)!));
      const status: WorkflowStatus = plan.status;
      await tx.query(
        `UPDATE workflow_runs SET checkpoint = $2::jsonb, status = $3, updated_at = now(),
           finished_at = CASE WHEN $3 = 'running' THEN NULL ELSE now() END
         WHERE id = $1`,
        [runId, JSON.stringify(snapshotRun(plan.state)), status],
      );
      return { inserted: ids.length, status };
    });
    if (result?.inserted) this.onInserted();
    return result;
  }

  /** Advances runs whose tasks finished but whose completion event was missed (lost event, crash before handling). */
  async reconcile(limit = 100): Promise<number> {
    const stale = await this.db.query<{ id: string }>(
      `SELECT DISTINCT w.id FROM workflow_runs w
       JOIN tasks t ON t.workflow_run_id = w.id AND t.workflow_generation = w.generation
       WHERE w.status = 'running'
         AND t.status IN ('succeeded', 'failed', 'cancelled', 'timed_out', 'upstream_failed')
         AND w.checkpoint -> 'tasks' -> t.workflow_key ->> 'status' = 'running'
       LIMIT $1`,
      [limit],
    );
    for (const r of stale) await this.advance(r.id);
    return stale.length;
  }
}
