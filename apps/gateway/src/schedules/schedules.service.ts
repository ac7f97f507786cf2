import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ScheduleSchema, type CreateSchedule, type Schedule } from '@kairos/contracts';
import { canSeeTenant, tenantFilterOf, type TenantAccess, UNRESTRICTED_ACCESS } from '@kairos/runtime';
import { buildTickSubmissions, compileSchedule, stableHash32 } from '@kairos/scheduling-core';
import { GatewayError } from '../errors/gateway.errors';
import { TaskSubmissionService, type TaskView } from '../tasks/task-submission.service';
import { SCHEDULE_REPOSITORY, type ScheduleRepository, type ScheduleRow, type TickRow } from './schedule.repository';

export interface ScheduleView extends Schedule {
  tenant: string;
  revision: number;
  updatedAt: string;
  deletedAt: string | null;
  /** The executor's state: every tick up to `decidedThrough` is decided; null before its first tick. */
  state: { decidedThrough: string; breaker: unknown } | null;
  /** The next tick after now by the trigger (null: none left, or paused/deleted). */
  nextTickAt: string | null;
}

export interface TickView {
  tickAt: string;
  shard: number;
  shardCount: number;
  outcome: 'fired' | 'skipped';
  skipReason: string | null;
  detail: string | null;
  taskId: string | null;
  taskStatus: string | null;
  /** Attempts of the task (more than 1: it ran again, e.g. after its executor died). */
  attempts: number | null;
  fireAt: string | null;
  firedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Process start − scheduled instant (jitter included); null until the task started. */
  delayMs: number | null;
  catchUp: boolean;
  trial: boolean;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/**
 * Schedules over REST: the gateway validates and stores definitions (the executors plan and fire
 * them, reloading changes within about half a second) and shows the executor's state and history.
 * A manual trigger submits the tick's shards at once as ordinary tasks, keyed `<id>@manual-<instant>#<shard>`.
 */
@Injectable()
export class SchedulesService {
  constructor(
    @Inject(SCHEDULE_REPOSITORY) private readonly repo: ScheduleRepository,
    @Inject(TaskSubmissionService) private readonly tasks: Pick<TaskSubmissionService, 'submit'>,
  ) {}

  /** A schedule of `tenant` (the creating key's): the tasks it fires are that tenant's. */
  async create(body: CreateSchedule, now: Date, tenant: string): Promise<ScheduleView> {
    if (body.template.kind !== 'task') {
      throw new GatewayError('VALIDATION_FAILED', 'invalid schedule: template.kind: workflow templates are not supported yet (use kind "task")', {
        issues: ['template.kind: workflow templates are not supported yet (use kind "task")'],
      });
    }
    const id = randomUUID();
    const schedule = ScheduleSchema.parse({ ...body, id, createdAt: now.toISOString() });
    return this.view(await this.repo.insert(schedule, stableHash32(id), tenant));
  }

  async list(limit: number, access: TenantAccess, tenant?: string): Promise<ScheduleView[]> {
    return (await this.repo.list(limit, tenantFilterOf(access, tenant) ?? undefined)).map((r) => this.view(r));
  }

  async get(id: string, access: TenantAccess): Promise<ScheduleView> {
    return this.view(this.found(id, await this.repo.findById(id), access));
  }

  async setPaused(id: string, paused: boolean, access: TenantAccess): Promise<ScheduleView> {
    this.found(id, await this.repo.findById(id), access);
    return this.view(this.found(id, await this.repo.setPaused(id, paused)));
  }

  async delete(id: string, access: TenantAccess): Promise<ScheduleView> {
    this.found(id, await this.repo.findById(id), access);
    return this.view(this.found(id, await this.repo.markDeleted(id)));
  }

  async ticks(id: string, limit: number, access: TenantAccess): Promise<TickView[]> {
    this.found(id, await this.repo.findById(id), access);
    return (await this.repo.ticks(id, limit)).map(tickView);
  }

  /** Runs one tick now, outside the trigger (all shards), whatever the pause and breaker state; the tasks are the schedule's tenant's. */
  async trigger(id: string, traceId: string, now = new Date(), access: TenantAccess): Promise<{ tickAt: string; tasks: TaskView[] }> {
    const row = this.found(id, await this.repo.findById(id), access);
    if (row.deleted_at !== null) throw new GatewayError('SCHEDULE_NOT_FOUND', `schedule ${id} was deleted`, { scheduleId: id });
    const tickAt = now.toISOString();
    const out: TaskView[] = [];
    for (const s of buildTickSubmissions(row.definition, { scheduledAtMs: now.getTime() })) {
      if (s.kind !== 'task') continue;
      const key = `${id}@manual-${tickAt}#${s.shardIndex}`;
      out.push((await this.tasks.submit({ ...s.task, idempotencyKey: key, labels: { ...s.task.labels, 'kairos.tick': `manual-${tickAt}` } }, traceId, row.tenant)).task);
    }
    return { tickAt, tasks: out };
  }

  /** The row, or 404 SCHEDULE_NOT_FOUND for an unknown id and for another tenant's schedule alike. */
  private found(id: string, row: ScheduleRow | undefined, access: TenantAccess = UNRESTRICTED_ACCESS): ScheduleRow {
    if (row === undefined || !canSeeTenant(access, row.tenant)) throw new GatewayError('SCHEDULE_NOT_FOUND', `schedule ${id} not found`, { scheduleId: id });
    return row;
  }

  private view(r: ScheduleRow): ScheduleView {
    const def = { ...r.definition, paused: r.paused };
    let nextTickAt: string | null = null;
    if (!r.paused && r.deleted_at === null) {
      const next = compileSchedule(def).timeline.nextAfter(Date.now());
      nextTickAt = next === null ? null : new Date(next).toISOString();
    }
    return {
      ...def,
      tenant: r.tenant,
      revision: Number(r.revision),
      updatedAt: new Date(r.updated_at).toISOString(),
      deletedAt: iso(r.deleted_at),
      state: r.decided_through ? { decidedThrough: new Date(r.decided_through).toISOString(), breaker: r.breaker } : null,
      nextTickAt,
    };
  }
}

function tickView(t: TickRow): TickView {
  const started = t.started_at ? new Date(t.started_at).getTime() : null;
  return {
    tickAt: new Date(t.tick_at).toISOString(),
    shard: t.shard,
    shardCount: t.shard_count,
    outcome: t.outcome,
    skipReason: t.skip_reason,
    detail: t.detail,
    taskId: t.task_id,
    taskStatus: t.task_status,
    attempts: t.attempts,
    fireAt: iso(t.fire_at),
    firedAt: iso(t.fired_at),
    startedAt: iso(t.started_at),
    finishedAt: iso(t.finished_at),
    delayMs: started === null ? null : started - new Date(t.tick_at).getTime(),
    catchUp: t.catch_up,
    trial: t.trial,
  };
}
