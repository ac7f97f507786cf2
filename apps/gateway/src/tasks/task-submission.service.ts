import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { DEFAULT_TENANT, isTerminalStatus, makeEnvelope, type SubmitTask, type TaskStatus } from '@kairos/contracts';
import { canSeeTenant, KAIROS_METRICS, keysetOf, tenantFilterOf, type TenantAccess, OutboxRelayService, type KairosMetrics, type Page, pageFrom, TASK_SECRETS, type TaskSecrets } from '@kairos/runtime';
import { GatewayError } from '../errors/gateway.errors';
import { decodeTaskArchive } from '@kairos/persistence';
import { TenantQuotaService } from '../tenants/tenant-quota.service';
import { attemptViewOfArchived, TASK_REPOSITORY, type TaskEventRow, type TaskRepository, type TaskRow } from './task.repository';

export interface TaskView {
  id: string;
  name: string | null;
  tenant: string;
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

/**
 * Submission writes the task row and its `task.queued.v1` event atomically (outbox), so an
 * accepted task is never lost and never announced without being stored; the answer is sent only
 * after that write committed. An idempotency key maps a
 * repeated submission to the first task.
 */
@Injectable()
export class TaskSubmissionService {
  constructor(
    @Inject(TASK_REPOSITORY) private readonly tasks: TaskRepository,
    @Inject(OutboxRelayService) private readonly relay: Pick<OutboxRelayService, 'kick'>,
    @Inject(TASK_SECRETS) private readonly secrets: Pick<TaskSecrets, 'seal' | 'redact' | 'sameSpec'>,
    @Optional() @Inject(KAIROS_METRICS) private readonly metrics?: KairosMetrics,
    @Optional() @Inject(TenantQuotaService) private readonly quotas?: Pick<TenantQuotaService, 'checkSubmission'>,
  ) {}

  /** Submits a task of `tenant` (the submitting key's): 429 TENANT_QUOTA_EXCEEDED over the tenant's quota. */
  async submit(submitted: SubmitTask, traceId: string, tenant: string = DEFAULT_TENANT): Promise<{ task: TaskView; created: boolean }> {
    const id = randomUUID();
    if (submitted.idempotencyKey === undefined) await this.quotas?.checkSubmission(tenant, [submitted.resources]);
    else {
      // A repeat of an accepted submission is answered even at the quota (it adds nothing).
      const prior = await this.tasks.findByIdempotencyKey(submitted.idempotencyKey);
      if (!prior) await this.quotas?.checkSubmission(tenant, [submitted.resources]);
    }
    // Secrets are sealed before anything is stored or published; only the executor opens them.
    const spec: SubmitTask = { ...submitted, run: this.secrets.seal(submitted.run) };
    // The queued event, with submittedAt filled in from the row's created_at by the insert.
    const event = makeEnvelope(
      'task.queued.v1',
      id,
      { taskId: id, name: spec.name ?? null, queue: spec.queue, priority: spec.priority, run: spec.run, resources: spec.resources, timeoutMs: spec.timeoutMs, maxAttempts: spec.maxAttempts, submittedAt: '', tenant },
      { traceId },
    );
    const result = await this.tasks.insertSubmission({ id, spec, tenant, event });
    if (result) {
      this.relay.kick();
      this.metrics?.submissions.inc({ queue: spec.queue });
      return { task: this.view(result), created: true };
    }
    const prior = await this.tasks.findByIdempotencyKey(spec.idempotencyKey ?? '');
    // Another tenant's task is not named (nor its id given): keys are global, tasks are not.
    if (!prior || prior.tenant !== tenant || !this.secrets.sameSpec(prior.run as SubmitTask['run'], submitted.run)) {
      throw new GatewayError('IDEMPOTENCY_CONFLICT', `idempotencyKey ${spec.idempotencyKey} was already used for a different task`, { idempotencyKey: spec.idempotencyKey, taskId: prior?.tenant === tenant ? prior.id : undefined });
    }
    return { task: this.view(prior), created: false };
  }

  async get(id: string, access: TenantAccess): Promise<TaskView & { attemptsDetail: unknown[]; events: unknown[]; archived?: true; archivedAt?: string }> {
    const row = await this.tasks.findById(id);
    if (!row) {
      // Retention may have archived it: the archive row carries the task's tenant like the live one.
      const archived = await this.tasks.findArchived(id);
      const view = archived ? this.archivedView(archived.blob, archived.archivedAt) : null;
      if (!view || !canSeeTenant(access, view.tenant)) throw new GatewayError('TASK_NOT_FOUND', `task ${id} not found`, { taskId: id });
      return view;
    }
    if (!canSeeTenant(access, row.tenant)) throw new GatewayError('TASK_NOT_FOUND', `task ${id} not found`, { taskId: id });
    const attempts = await this.tasks.attemptsOf(id);
    return { ...this.view(row), attemptsDetail: attempts, events: await this.events(id) };
  }

  /** A task retention archived, answered from its archive row in the shape of a live one, marked `archived: true`. */
  private archivedView(blob: Buffer, archivedAt: Date): TaskView & { attemptsDetail: unknown[]; events: unknown[]; archived: true; archivedAt: string } {
    const rec = decodeTaskArchive(blob);
    const events = rec.events
      .map((e) => e as unknown as TaskEventRow)
      .sort((a, b) => new Date(a.occurred_at).getTime() - new Date(b.occurred_at).getTime());
    return {
      ...this.view({ tenant: DEFAULT_TENANT, ...rec.row } as unknown as TaskRow),
      attemptsDetail: rec.attempts.map(attemptViewOfArchived).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime()),
      events: events.map((e) => ({ topic: e.topic, at: new Date(e.occurred_at).toISOString(), ...summarise(e.envelope.payload) })),
      archived: true,
      archivedAt: archivedAt.toISOString(),
    };
  }

  /** A task's lifecycle events in the order they happened (what GET /api/tasks/:id lists). */
  async events(id: string): Promise<Array<Record<string, unknown>>> {
    const events = await this.tasks.eventsOf(id);
    return events.map((e) => ({ topic: e.topic, at: new Date(e.occurred_at).toISOString(), ...summarise(e.envelope.payload) }));
  }

  /** The task's status, or null when there is no such task (or it is another tenant's). */
  async statusOf(id: string, access: TenantAccess): Promise<TaskStatus | null> {
    const row = await this.tasks.findById(id);
    return row && canSeeTenant(access, row.tenant) ? (row.status as TaskStatus) : null;
  }

  /** The row when `access` may see it; else 404 TASK_NOT_FOUND, the same answer as for an id that does not exist. */
  private async visible(id: string, access: TenantAccess): Promise<TaskRow> {
    const row = await this.tasks.findById(id);
    if (!row || !canSeeTenant(access, row.tenant)) throw new GatewayError('TASK_NOT_FOUND', `task ${id} not found`, { taskId: id });
    return row;
  }

  /** A page of task summaries (newest first): the run without env/headers/body, output and error shortened. */
  async list(filter: { status?: string; queue?: string; tenant?: string; limit: number; cursor?: string }, access: TenantAccess): Promise<Page<TaskView>> {
    const tenant = tenantFilterOf(access, filter.tenant) ?? undefined;
    const rows = await this.tasks.list({ status: filter.status, queue: filter.queue, tenant, limit: filter.limit + 1, after: keysetOf(filter.cursor) });
    return pageFrom(rows, filter.limit, (r) => r.id, (r) => this.view({ ...r, run: shortenRun(r.run) }));
  }

  async requestCancel(id: string, access: TenantAccess): Promise<TaskView> {
    const row = await this.visible(id, access);
    if (isTerminalStatus(row.status as TaskStatus)) throw new GatewayError('TASK_ALREADY_FINISHED', `task ${id} already ended as ${row.status}`, { taskId: id, status: row.status });
    // The executor owns the task's state: it applies the request (queued: cancelled; running: stopped).
    await this.tasks.requestCancel(makeEnvelope('task.cancel.requested.v1', id, { taskId: id, requestedAt: new Date().toISOString() }));
    this.relay.kick();
    return this.view(row);
  }

  /** A row as answers show it: secret values `[redacted]` (they are write-only). */
  private view(r: TaskRow): TaskView {
    const v = toView(r);
    return { ...v, run: this.secrets.redact(v.run) };
  }

  async counts(tenant?: string): Promise<Record<string, number>> {
    return this.tasks.countsByStatus(tenant);
  }
}

/** A list row's run: the command's first 20 arguments, each cut at 200 characters (the detail has it whole). */
function shortenRun(run: unknown): unknown {
  const r = run as { command?: unknown };
  if (!Array.isArray(r?.command)) return run;
  return { ...r, command: r.command.slice(0, 20).map((a: unknown) => (typeof a === 'string' && a.length > 200 ? `${a.slice(0, 200)}…` : a)) };
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
    tenant: r.tenant,
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
