import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authHeaders, startService, type ServiceProcess } from '@kairos/testing';

// Schedules through the live platform in standalone mode (one process, in-process bus, PGlite):
// REST validation, firing with history and delays, pause/resume, manual trigger, delete.
interface TickView {
  tickAt: string;
  shard: number;
  outcome: 'fired' | 'skipped';
  skipReason: string | null;
  taskId: string | null;
  taskStatus: string | null;
  delayMs: number | null;
}
interface ScheduleView {
  id: string;
  paused: boolean;
  state: { decidedThrough: string; breaker: { status: string } } | null;
  nextTickAt: string | null;
  deletedAt: string | null;
  message?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('schedules (standalone)', () => {
  let dataDir: string;
  let svc: ServiceProcess;
  const api = async <T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
    const r = await fetch(`http://127.0.0.1:${svc.port}${path}`, { ...init, headers: authHeaders() });
    return { status: r.status, body: (await r.json()) as T };
  };
  const create = (body: unknown) => api<ScheduleView>('/api/schedules', { method: 'POST', body: JSON.stringify(body) });
  const ticks = async (id: string) => (await api<TickView[]>(`/api/schedules/${id}/ticks?limit=1000`)).body;
  const every1s = { name: 'every-second', template: { kind: 'task', task: { run: { kind: 'noop', sleepMs: 0 } } }, trigger: { kind: 'interval', everyMs: 1_000 } };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-sched-'));
    svc = await startService('standalone', { DATA_DIR: dataDir, EXECUTOR_NODES: 'n1:16000:16384', EXECUTOR_SLOTS: '32' });
    await svc.waitHealthy(120_000);
  }, 180_000);

  afterAll(async () => {
    await svc?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a bad cron expression, time zone or template is a 400 naming the field', async () => {
    const badCron = await create({ ...every1s, trigger: { kind: 'cron', expression: '61 * * * * *' } });
    expect(badCron.status).toBe(400);
    expect(badCron.body.message).toMatch(/trigger\.expression/);
    const badZone = await create({ ...every1s, trigger: { kind: 'cron', expression: '*/5 * * * * *', timezone: 'Mars/Olympus' } });
    expect(badZone.status).toBe(400);
    expect(badZone.body.message).toMatch(/trigger\.timezone/);
    const never = await create({ ...every1s, trigger: { kind: 'cron', expression: '0 0 0 30 2 *' } });
    expect(never.status).toBe(400);
    expect(never.body.message).toMatch(/trigger\.expression: never fires/);
    const workflow = await create({ ...every1s, template: { kind: 'workflow', workflow: { name: 'w', tasks: [{ key: 'a', run: { kind: 'noop', sleepMs: 0 } }] } } });
    expect(workflow.status).toBe(400);
    expect(workflow.body.message).toMatch(/template/);
    expect((await api('/api/schedules/not-a-uuid')).status).toBe(400);
    expect((await api('/api/schedules/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('fires every tick once, runs its task, and records the delay from scheduled time to process start', async () => {
    const { status, body: s } = await create(every1s);
    expect(status).toBe(201);
    expect(s.nextTickAt).not.toBeNull();
    await sleep(4_500);
    const rows = (await ticks(s.id)).filter((t) => t.outcome === 'fired');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.map((t) => t.tickAt)).size).toBe(rows.length);
    const started = rows.filter((t) => t.delayMs !== null);
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(started.every((t) => (t.delayMs as number) >= 0 && (t.delayMs as number) < 5_000)).toBe(true);
    const got = (await api<ScheduleView>(`/api/schedules/${s.id}`)).body;
    expect(got.state?.breaker.status).toBe('closed');
    await api(`/api/schedules/${s.id}`, { method: 'DELETE' });
  }, 30_000);

  it('a paused schedule fires nothing; resumed, it fires again; a manual trigger runs a tick at once; deleted, it stops', async () => {
    const { body: s } = await create({ ...every1s, paused: true });
    await sleep(2_500);
    expect(await ticks(s.id)).toEqual([]);

    const manual = await api<{ tickAt: string; tasks: Array<{ id: string }> }>(`/api/schedules/${s.id}/trigger`, { method: 'POST' });
    expect(manual.status).toBe(201);
    expect(manual.body.tasks).toHaveLength(1);

    expect((await api<ScheduleView>(`/api/schedules/${s.id}/resume`, { method: 'POST' })).body.paused).toBe(false);
    await sleep(3_000);
    const fired = (await ticks(s.id)).filter((t) => t.outcome === 'fired');
    expect(fired.length).toBeGreaterThanOrEqual(1);

    expect((await api<ScheduleView>(`/api/schedules/${s.id}/pause`, { method: 'POST' })).body.paused).toBe(true);
    await sleep(1_000); // executors reload within ~0.5 s; a tick already due may still land
    const atPause = (await ticks(s.id)).length;
    await sleep(2_500);
    expect((await ticks(s.id)).length).toBe(atPause);

    const deleted = await api<ScheduleView>(`/api/schedules/${s.id}`, { method: 'DELETE' });
    expect(deleted.body.deletedAt).not.toBeNull();
    const list = (await api<ScheduleView[]>('/api/schedules')).body;
    expect(list.some((x) => x.id === s.id)).toBe(false);
    expect((await ticks(s.id)).length).toBe(atPause);
  }, 30_000);
});
