import { Inject, Injectable } from '@nestjs/common';
import type { Envelope, WorkflowStatus, WorkflowTask } from '@kairos/contracts';
import { appendToOutbox, DATABASE, insertWorkflowTasks, type Database } from '@kairos/persistence';
import type { DagRunSnapshot } from '@kairos/scheduling-core';
import { cursorTime, type Keyset } from '@kairos/runtime';

export const WORKFLOW_REPOSITORY = Symbol('GATEWAY_WORKFLOW_REPOSITORY');

/** What workflow_runs.dag holds: the validated submission, enough to rebuild the graph anywhere. */
export interface StoredWorkflow {
  name: string;
  tasks: WorkflowTask[];
}

export interface WorkflowRow {
  id: string;
  name: string;
  tenant: string;
  status: WorkflowStatus;
  dag: StoredWorkflow;
  checkpoint: DagRunSnapshot;
  generation: number;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface WorkflowTaskRow {
  id: string;
  workflow_key: string;
  workflow_generation: number;
  status: string;
  attempts: number;
  exit_code: number | null;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

/** A new generation of a run that is not running: its checkpoint and the tasks to insert now. */
export interface RunStart {
  checkpoint: DagRunSnapshot;
  generation: number;
  tasks: WorkflowTask[];
}

const PRODUCER = 'gateway';

/**
 * The gateway's writes to workflow_runs (and the task rows they start): a new run and the start of a
 * new generation of a run that is not running (rerun), each one transaction with the queued events of
 * the tasks it inserts; a cancellation is a command the executor applies.
 */
export interface WorkflowRepository {
  insertRun(run: { id: string; name: string; tenant: string; dag: StoredWorkflow }, start: RunStart, traceId: string): Promise<void>;
  /**
   * Locks the run and lets `decide` plan a new generation from it (it throws to refuse); writes the plan.
   * `decide` gets undefined for an unknown id.
   */
  startGeneration<T>(id: string, decide: (w: WorkflowRow | undefined) => { start: RunStart; result: T }, traceId: string): Promise<T>;
  /** Sends a workflow.cancel.requested.v1 command (the executor owns the run's progress) through the gateway's outbox. */
  requestCancel(command: Envelope<'workflow.cancel.requested.v1'>): Promise<void>;
  findById(id: string): Promise<WorkflowRow | undefined>;
  /** The latest task row per key: kept (succeeded) tasks of a rerun still point at their earlier generation. */
  latestTasks(id: string): Promise<WorkflowTaskRow[]>;
  /** Newest first, `limit` runs after `after`, without their DAG (only its task count). */
  list(filter: { status?: WorkflowStatus; tenant?: string; limit: number; after?: Keyset }): Promise<WorkflowListRow[]>;
}

export type WorkflowListRow = Omit<WorkflowRow, 'dag'> & { task_count: number; cursor_t: string };

@Injectable()
export class PgWorkflowRepository implements WorkflowRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async insertRun(run: { id: string; name: string; tenant: string; dag: StoredWorkflow }, start: RunStart, traceId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO workflow_runs (id, name, status, dag, checkpoint, generation, tenant) VALUES ($1, $2, 'running', $3::jsonb, $4::jsonb, $5, $6)`, [
        run.id,
        run.name,
        JSON.stringify(run.dag),
        JSON.stringify(start.checkpoint),
        start.generation,
        run.tenant,
      ]);
      await insertWorkflowTasks(tx, PRODUCER, { id: run.id, name: run.name, generation: start.generation }, start.tasks, traceId);
    });
  }

  async startGeneration<T>(id: string, decide: (w: WorkflowRow | undefined) => { start: RunStart; result: T }, traceId: string): Promise<T> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<WorkflowRow>(`SELECT * FROM workflow_runs WHERE id = $1 FOR UPDATE`, [id]);
      const { start, result } = decide(rows[0]);
      const w = rows[0]!;
      await tx.query(`UPDATE workflow_runs SET status = 'running', checkpoint = $2::jsonb, generation = $3, finished_at = NULL, updated_at = now() WHERE id = $1`, [
        id,
        JSON.stringify(start.checkpoint),
        start.generation,
      ]);
      await insertWorkflowTasks(tx, PRODUCER, { id, name: w.name, generation: start.generation }, start.tasks, traceId);
      return result;
    });
  }

  async requestCancel(command: Envelope<'workflow.cancel.requested.v1'>): Promise<void> {
    await this.db.transaction((tx) => appendToOutbox(tx, PRODUCER, [command]));
  }

  async findById(id: string): Promise<WorkflowRow | undefined> {
    return (await this.db.query<WorkflowRow>(`SELECT * FROM workflow_runs WHERE id = $1`, [id]))[0];
  }

  latestTasks(id: string): Promise<WorkflowTaskRow[]> {
    return this.db.query<WorkflowTaskRow>(
      `SELECT DISTINCT ON (workflow_key) id, workflow_key, workflow_generation, status, attempts, exit_code, error, started_at, finished_at
       FROM tasks WHERE workflow_run_id = $1 ORDER BY workflow_key, workflow_generation DESC`,
      [id],
    );
  }

  list(filter: { status?: WorkflowStatus; tenant?: string; limit: number; after?: Keyset }): Promise<WorkflowListRow[]> {
    return this.db.query<WorkflowListRow>(
      `SELECT id, name, tenant, status, checkpoint, generation, created_at, updated_at, finished_at, jsonb_array_length(dag->'tasks') AS task_count, ${cursorTime('created_at')} AS cursor_t
         FROM workflow_runs
        WHERE ($1::text IS NULL OR status = $1) AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
          AND ($5::text IS NULL OR tenant = $5)
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [filter.status ?? null, filter.after?.t ?? null, filter.after?.id ?? null, filter.limit, filter.tenant ?? null],
    );
  }
}
