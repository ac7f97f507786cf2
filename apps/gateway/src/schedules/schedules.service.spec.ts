import { UNRESTRICTED_ACCESS } from '@kairos/runtime';
import { CreateScheduleSchema, type Schedule, type SubmitTask } from '@kairos/contracts';
import { stableHash32 } from '@kairos/scheduling-core';
import { GatewayError } from '../errors/gateway.errors';
import type { TaskView } from '../tasks/task-submission.service';
import type { ScheduleRepository, ScheduleRow, TickRow } from './schedule.repository';
import { SchedulesService } from './schedules.service';

class FakeRepo implements ScheduleRepository {
  rows = new Map<string, ScheduleRow>();
  hashes = new Map<string, number>();
  async insert(schedule: Schedule, hash: number, tenant: string): Promise<ScheduleRow> {
    this.hashes.set(schedule.id, hash);
    const row: ScheduleRow = { id: schedule.id, name: schedule.name, tenant, definition: schedule, paused: schedule.paused, revision: '1', created_at: new Date(schedule.createdAt), updated_at: new Date(schedule.createdAt), deleted_at: null, decided_through: null, breaker: null };
    this.rows.set(schedule.id, row);
    return row;
  }
  async findById(id: string) {
    return this.rows.get(id);
  }
  async list(_limit: number, tenant?: string) {
    return [...this.rows.values()].filter((r) => tenant === undefined || r.tenant === tenant);
  }
  async setPaused(id: string, paused: boolean) {
    const r = this.rows.get(id);
    if (r === undefined || r.deleted_at !== null) return undefined;
    r.paused = paused;
    return r;
  }
  async markDeleted(id: string) {
    const r = this.rows.get(id);
    if (r === undefined || r.deleted_at !== null) return undefined;
    r.deleted_at = new Date();
    return r;
  }
  async ticks(): Promise<TickRow[]> {
    return [
      { tick_at: new Date('2026-11-30T00:00:05Z'), shard: 0, shard_count: 1, outcome: 'fired', skip_reason: null, detail: null, task_id: 't1', fire_at: null, fired_at: null, catch_up: false, trial: false, task_status: 'succeeded', attempts: 1, started_at: new Date('2026-11-30T00:00:05.040Z'), finished_at: null },
    ];
  }
}

describe('SchedulesService', () => {
  const submitted: SubmitTask[] = [];
  const tenantsOfSubmitted: string[] = [];
  const tasks = {
    submit: async (spec: SubmitTask, _trace: string, tenant?: string) => (submitted.push(spec), tenantsOfSubmitted.push(tenant ?? ''), { task: { id: `task-${submitted.length}` } as TaskView, created: true }),
  };
  const body = (over: Record<string, unknown> = {}) =>
    CreateScheduleSchema.parse({ name: 'nightly', template: { kind: 'task', task: { run: { kind: 'shell', command: ['sh', '-c', 'echo $KAIROS_SHARD_INDEX'] } } }, trigger: { kind: 'cron', expression: '0 0 3 * * *', timezone: 'Europe/Berlin' }, ...over });
  let repo: FakeRepo;
  let service: SchedulesService;
  beforeEach(() => {
    repo = new FakeRepo();
    submitted.length = 0;
    tenantsOfSubmitted.length = 0;
    service = new SchedulesService(repo, tasks);
  });

  it('a schedule is its creator\'s tenant\'s: another tenant gets 404 for every action and does not list it; admin sees it; a manual tick submits as the schedule\'s tenant', async () => {
    const a = { tenant: 'team-a', all: false };
    const b = { tenant: 'team-b', all: false };
    const admin = { tenant: 'default', all: true };
    const v = await service.create(body(), new Date('2026-11-30T00:00:00Z'), 'team-a');
    expect(v.tenant).toBe('team-a');
    expect((await service.get(v.id, a)).id).toBe(v.id);
    for (const act of [() => service.get(v.id, b), () => service.ticks(v.id, 10, b), () => service.setPaused(v.id, true, b), () => service.delete(v.id, b), () => service.trigger(v.id, 't', new Date(), b)]) {
      await expect(act()).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND', message: `schedule ${v.id} not found` });
    }
    expect(repo.rows.get(v.id)!.paused).toBe(false);
    expect(repo.rows.get(v.id)!.deleted_at).toBeNull();
    expect(await service.list(10, b)).toEqual([]);
    expect((await service.list(10, b, 'team-a')).map((s) => s.id)).toEqual([]);
    expect((await service.list(10, admin)).map((s) => s.id)).toEqual([v.id]);
    expect((await service.list(10, admin, 'team-b')).map((s) => s.id)).toEqual([]);
    await service.trigger(v.id, 't', new Date('2026-11-30T00:00:00Z'), admin);
    expect(tenantsOfSubmitted).toEqual(['team-a']);
  });

  it('creates with a new id, the creation instant and the id hash the executors partition by; shows the next tick', async () => {
    const v = await service.create(body(), new Date('2026-11-30T00:00:00Z'), 'default');
    expect(v.createdAt).toBe('2026-11-30T00:00:00.000Z');
    expect(repo.hashes.get(v.id)).toBe(stableHash32(v.id));
    expect(v.state).toBeNull();
    expect(v.nextTickAt).not.toBeNull();
  });

  it('refuses a workflow template with a 400 naming template.kind', async () => {
    const err = await service.create(body({ template: { kind: 'workflow', workflow: { name: 'w', tasks: [{ key: 'a', run: { kind: 'noop' } }] } } }), new Date(), 'default').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('VALIDATION_FAILED');
    expect((err as GatewayError).message).toMatch(/template\.kind/);
  });

  it('pause, resume and delete of an unknown schedule are SCHEDULE_NOT_FOUND; a deleted one cannot be triggered', async () => {
    await expect(service.setPaused('nope', true, UNRESTRICTED_ACCESS)).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
    const v = await service.create(body(), new Date(), 'default');
    expect((await service.setPaused(v.id, true, UNRESTRICTED_ACCESS)).nextTickAt).toBeNull();
    await service.delete(v.id, UNRESTRICTED_ACCESS);
    await expect(service.trigger(v.id, 'trace', new Date(), UNRESTRICTED_ACCESS)).rejects.toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
  });

  it('a manual trigger submits every shard with a manual key, the schedule labels and the shard env', async () => {
    const v = await service.create(body({ shards: 2 }), new Date(), 'default');
    const r = await service.trigger(v.id, 'trace', new Date('2026-11-30T01:02:03.004Z'), UNRESTRICTED_ACCESS);
    expect(r.tasks.map((t) => t.id)).toEqual(['task-1', 'task-2']);
    expect(submitted.map((s) => s.idempotencyKey)).toEqual([`${v.id}@manual-2026-11-30T01:02:03.004Z#0`, `${v.id}@manual-2026-11-30T01:02:03.004Z#1`]);
    expect(submitted[1]?.labels).toMatchObject({ 'kairos.schedule': v.id, 'kairos.tick': 'manual-2026-11-30T01:02:03.004Z', 'kairos.shard-index': '1', 'kairos.shard-count': '2' });
    expect(submitted[1]?.run).toMatchObject({ env: { KAIROS_SHARD_INDEX: '1', KAIROS_SHARD_COUNT: '2' } });
  });

  it('tick history: delay = task start − scheduled instant', async () => {
    const v = await service.create(body(), new Date(), 'default');
    const [t] = await service.ticks(v.id, 10, UNRESTRICTED_ACCESS);
    expect(t).toMatchObject({ tickAt: '2026-11-30T00:00:05.000Z', delayMs: 40, taskStatus: 'succeeded', attempts: 1 });
  });
});
