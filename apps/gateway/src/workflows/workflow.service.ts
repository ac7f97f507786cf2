import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { DEFAULT_TENANT, makeEnvelope, type SubmitWorkflow, type WorkflowStatus, type WorkflowTask } from '@kairos/contracts';
import { canSeeTenant, keysetOf, OutboxRelayService, tenantFilterOf, type TenantAccess, UNRESTRICTED_ACCESS, type Page, pageFrom, TASK_SECRETS, type TaskSecrets } from '@kairos/runtime';
import {
  buildDag,
  markStarted,
  nextRunnable,
  planRerun,
  restoreRun,
  snapshotRun,
  startRun,
  type Dag,
  type DagRunState,
  type DagTaskStatus,
} from '@kairos/scheduling-core';
import { GatewayError } from '../errors/gateway.errors';
import { TenantQuotaService } from '../tenants/tenant-quota.service';
import { toDagSpecs } from './workflow-validation';
import { WORKFLOW_REPOSITORY, type StoredWorkflow, type WorkflowListRow, type WorkflowRepository, type WorkflowRow } from './workflow.repository';

export interface WorkflowTaskView {
  key: string;
  /** Status in the workflow run (pending until its dependencies succeed). */
  status: DagTaskStatus;
  dependsOn: string[];
  taskId: string | null;
  taskStatus: string | null;
  /** Executor attempts of the latest task row for this key. */
  attempts: number;
  generation: number | null;
  exitCode: number | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  tenant: string;
  status: WorkflowStatus;
  generation: number;
  counts: Partial<Record<DagTaskStatus, number>>;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface WorkflowView extends WorkflowSummary {
  tasks: WorkflowTaskView[];
  edges: Array<{ from: string; to: string; origin: string; files: readonly string[] }>;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/**
 * Workflow submission and rerun. Both write the run's checkpoint and its first runnable tasks (with
 * their task.queued.v1 events) in one transaction; everything later is advanced by the executor
 * from the checkpoint in PostgreSQL.
 */
@Injectable()
export class WorkflowService {
  constructor(
    @Inject(WORKFLOW_REPOSITORY) private readonly runs: WorkflowRepository,
    @Inject(OutboxRelayService) private readonly relay: Pick<OutboxRelayService, 'kick'>,
    @Inject(TASK_SECRETS) private readonly secrets: Pick<TaskSecrets, 'seal'>,
    @Optional() @Inject(TenantQuotaService) private readonly quotas?: Pick<TenantQuotaService, 'checkSubmission'>,
  ) {}

  /** A run of `tenant` (the submitting key's); its tasks are the tenant's. Its first tasks count against maxQueuedTasks. */
  async submit(submitted: SubmitWorkflow, dag: Dag, traceId: string, tenant: string = DEFAULT_TENANT): Promise<WorkflowView> {
    const id = randomUUID();
    // Task secrets are sealed in the stored DAG (later generations and reruns copy them from there).
    const spec: SubmitWorkflow = { ...submitted, tasks: submitted.tasks.map((t) => ({ ...t, run: this.secrets.seal(t.run) })) };
    const { state, roots } = startRoots(startRun(dag, 1));
    const first = pick(spec.tasks, roots);
    await this.quotas?.checkSubmission(tenant, first.map((t) => t.resources));
    const stored: StoredWorkflow = { name: spec.name, tasks: spec.tasks };
    await this.runs.insertRun({ id, name: spec.name, tenant, dag: stored }, { checkpoint: snapshotRun(state), generation: 1, tasks: first }, traceId);
    this.relay.kick();
    return this.get(id, UNRESTRICTED_ACCESS); // just created for this tenant
  }

  /** Reruns failed tasks and everything downstream of them (plus `force`); succeeded results are kept. */
  async rerun(id: string, force: readonly string[], traceId: string, access: TenantAccess): Promise<WorkflowView & { rerun: readonly string[]; kept: readonly string[] }> {
    const plan = await this.runs.startGeneration(
      id,
      (w) => {
      if (!w || !canSeeTenant(access, w.tenant)) throw new GatewayError('WORKFLOW_NOT_FOUND', `workflow ${id} not found`, { workflowId: id });
      if (w.status === 'running') throw new GatewayError('WORKFLOW_NOT_RERUNNABLE', `workflow ${id} is still running`, { workflowId: id, status: w.status });
      const dag = buildDag(toDagSpecs(w.dag.tasks));
      const unknown = force.filter((k) => !dag.indexOf.has(k));
      if (unknown.length) throw new GatewayError('VALIDATION_FAILED', `force: unknown task key(s) ${unknown.map((k) => `"${k}"`).join(', ')}`, { unknown });
      const p = planRerun(restoreRun(dag, w.checkpoint), force);
      if (!p.rerun.length) throw new GatewayError('WORKFLOW_NOT_RERUNNABLE', `workflow ${id} has nothing to rerun (all tasks succeeded; name some in "force")`, { workflowId: id });
      const { state, roots } = startRoots(p.state);
      return { start: { checkpoint: snapshotRun(state), generation: w.generation + 1, tasks: pick(w.dag.tasks, roots) }, result: p };
      },
      traceId,
    );
    this.relay.kick();
    return { ...(await this.get(id, UNRESTRICTED_ACCESS)), rerun: plan.rerun, kept: plan.kept }; // access checked in the plan
  }

  /**
   * Marks the run cancelled (the advancer then leaves it alone) and requests cancellation of its queued
   * and running tasks; the executor stops them as for any cancelled task. A later rerun resumes it.
   */
  async cancel(id: string, access: TenantAccess): Promise<WorkflowView> {
    const w = await this.runs.findById(id);
    if (!w || !canSeeTenant(access, w.tenant)) throw new GatewayError('WORKFLOW_NOT_FOUND', `workflow ${id} not found`, { workflowId: id });
    if (w.status !== 'running') throw new GatewayError('WORKFLOW_ALREADY_FINISHED', `workflow ${id} already ended as ${w.status}`, { workflowId: id, status: w.status });
    // The executor owns the run's progress: it marks the run cancelled and cancels its tasks.
    await this.runs.requestCancel(makeEnvelope('workflow.cancel.requested.v1', id, { workflowRunId: id, generation: w.generation, requestedAt: new Date().toISOString() }));
    this.relay.kick();
    return this.get(id, UNRESTRICTED_ACCESS); // access checked above
  }

  /** 404 WORKFLOW_NOT_FOUND for an unknown id and for another tenant's run alike. */
  async get(id: string, access: TenantAccess): Promise<WorkflowView> {
    const w = await this.runs.findById(id);
    if (!w || !canSeeTenant(access, w.tenant)) throw new GatewayError('WORKFLOW_NOT_FOUND', `workflow ${id} not found`, { workflowId: id });
    const dag = buildDag(toDagSpecs(w.dag.tasks));
    const state = restoreRun(dag, w.checkpoint);
    const taskRows = await this.runs.latestTasks(id);
    const byKey = new Map(taskRows.map((r) => [r.workflow_key, r]));
    const tasks = dag.ids.map((key, i): WorkflowTaskView => {
      const r = byKey.get(key);
      return {
        key,
        status: state.tasks[i].status,
        dependsOn: dag.preds[i].map((p) => dag.ids[p]),
        taskId: r?.id ?? null,
        taskStatus: r?.status ?? null,
        attempts: r?.attempts ?? 0,
        generation: r?.workflow_generation ?? null,
        exitCode: r?.exit_code ?? null,
        error: r?.error ?? null,
        startedAt: iso(r?.started_at ?? null),
        finishedAt: iso(r?.finished_at ?? null),
      };
    });
    return { ...summaryOf(w, state), tasks, edges: dag.edges.map((e) => ({ from: e.from, to: e.to, origin: e.origin, files: e.files })) };
  }

  /** A page of run summaries (newest first); counts come from the checkpoint, the DAG is not loaded. */
  async list(filter: { status?: WorkflowStatus; tenant?: string; limit: number; cursor?: string }, access: TenantAccess): Promise<Page<WorkflowSummary>> {
    const tenant = tenantFilterOf(access, filter.tenant) ?? undefined;
    const rows = await this.runs.list({ status: filter.status, tenant, limit: filter.limit + 1, after: keysetOf(filter.cursor) });
    return pageFrom(rows, filter.limit, (w) => w.id, listSummaryOf);
  }
}

/** Marks every currently runnable task started; those are the tasks to insert now. */
function startRoots(initial: DagRunState): { state: DagRunState; roots: string[] } {
  const roots = nextRunnable(initial);
  const state = roots.reduce((s, k) => markStarted(s, k), initial);
  return { state, roots };
}

function pick(tasks: readonly WorkflowTask[], keys: readonly string[]): WorkflowTask[] {
  const wanted = new Set(keys);
  return tasks.filter((t) => wanted.has(t.key));
}

function summaryOf(w: Omit<WorkflowRow, 'dag'>, state: DagRunState): WorkflowSummary {
  const counts: Partial<Record<DagTaskStatus, number>> = {};
  for (const t of state.tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return countsSummary(w, counts);
}

/** The same summary from a list row: statuses from the checkpoint, tasks it does not mention are pending. */
function listSummaryOf(w: WorkflowListRow): WorkflowSummary {
  const counts: Partial<Record<DagTaskStatus, number>> = {};
  const known = Object.values(w.checkpoint.tasks);
  for (const t of known) counts[t.status] = (counts[t.status] ?? 0) + 1;
  const pending = Number(w.task_count) - known.length;
  if (pending > 0) counts.pending = (counts.pending ?? 0) + pending;
  return countsSummary(w, counts);
}

function countsSummary(w: Omit<WorkflowRow, 'dag'>, counts: Partial<Record<DagTaskStatus, number>>): WorkflowSummary {
  return {
    id: w.id,
    name: w.name,
    tenant: w.tenant,
    status: w.status,
    generation: w.generation,
    counts,
    createdAt: new Date(w.created_at).toISOString(),
    updatedAt: new Date(w.updated_at).toISOString(),
    finishedAt: iso(w.finished_at),
  };
}
