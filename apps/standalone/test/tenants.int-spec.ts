import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { authHeaders, createTestDatabase, startService, type ServiceProcess } from '@kairos/testing';

// Tenants end to end on the standalone platform (its own process) and a real PostgreSQL: keys belong
// to tenants, a key sees only its tenant's tasks and workflows (another tenant's answer 404 exactly as
// an unknown id does), admin sees all; running quotas keep a tenant's tasks queued while another
// tenant's run; maxQueuedTasks refuses submissions with 429.
interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe('tenants on the standalone platform', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let svc: ServiceProcess;
  const keys: Record<string, string> = {};

  const call = async (path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<Answer> => {
    const r = await fetch(`http://127.0.0.1:${svc.port}${path}`, { method: init.method ?? 'GET', headers: authHeaders(init.key), body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const submit = (key: string, run: Record<string, unknown>, resources: Record<string, number>) => call('/api/tasks', { method: 'POST', key, body: { run, resources } });
  const task = async (id: string) => (await call(`/api/tasks/${id}`)).body;
  const waitFor = async (what: string, cond: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-tenants-'));
    svc = await startService('standalone', { DATABASE_URL: tdb.url, DATA_DIR: dataDir, EXECUTOR_NODES: 'n1:8000:8192' }, 'tenants-standalone');
    await svc.waitHealthy(120_000);
    for (const tenant of ['team-a', 'team-b', 'team-c']) {
      const created = await call('/api/keys', { method: 'POST', body: { name: tenant, scopes: ['submit', 'operate'], tenant } });
      expect(created).toMatchObject({ status: 201, body: { tenant } });
      keys[tenant] = String(created.body.key);
    }
  }, 180_000);
  afterAll(async () => {
    await svc?.kill();
    await tdb?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keys: the tenant is validated (400 naming it), shown by whoami, and only admin keys create keys', async () => {
    const bad = await call('/api/keys', { method: 'POST', body: { name: 'x', scopes: ['read'], tenant: 'Team_A' } });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toContain('tenant');
    expect((await call('/api/session', { key: keys['team-a'] })).body).toMatchObject({ tenant: 'team-a' });
    expect((await call('/api/session')).body).toMatchObject({ tenant: 'default' });
    expect((await call('/api/keys', { method: 'POST', key: keys['team-a'], body: { name: 'y', scopes: ['read'], tenant: 'team-b' } })).status).toBe(403);
  });

  it("one tenant cannot read, list or cancel another's task or workflow: 404 with the body of an unknown id; admin sees all", async () => {
    const own = await submit(keys['team-a'], { kind: 'noop', sleepMs: 0 }, { cpuMillis: 10, memMb: 1 });
    expect(own).toMatchObject({ status: 201, body: { tenant: 'team-a' } });
    const id = String(own.body.id);
    expect((await call(`/api/tasks/${id}`, { key: keys['team-a'] })).status).toBe(200);

    const theirs = await call(`/api/tasks/${id}`, { key: keys['team-b'] });
    const unknownId = randomUUID();
    const unknown = await call(`/api/tasks/${unknownId}`, { key: keys['team-b'] });
    expect(theirs.status).toBe(404);
    expect(JSON.stringify(theirs.body).replaceAll(id, '<id>')).toBe(JSON.stringify(unknown.body).replaceAll(unknownId, '<id>'));
    const cancel = await call(`/api/tasks/${id}/cancel`, { method: 'POST', key: keys['team-b'] });
    expect(cancel).toMatchObject({ status: 404, body: { error: 'TASK_NOT_FOUND' } });

    const listB = (await call('/api/tasks?limit=1000', { key: keys['team-b'] })).body.items as Array<{ id: string; tenant: string }>;
    expect(listB.map((t) => t.id)).not.toContain(id);
    expect(listB.every((t) => t.tenant === 'team-b')).toBe(true);
    // A non-admin naming another tenant still sees only its own.
    const listBasA = (await call('/api/tasks?limit=1000&tenant=team-a', { key: keys['team-b'] })).body.items as Array<{ id: string }>;
    expect(listBasA.map((t) => t.id)).not.toContain(id);
    expect(((await call('/api/tasks?limit=1000', { key: keys['team-a'] })).body.items as Array<{ id: string }>).map((t) => t.id)).toContain(id);
    // Admin: every tenant, or one with ?tenant=.
    expect((await call(`/api/tasks/${id}`)).body).toMatchObject({ id, tenant: 'team-a' });
    expect(((await call('/api/tasks?limit=1000')).body.items as Array<{ id: string }>).map((t) => t.id)).toContain(id);
    expect(((await call('/api/tasks?limit=1000&tenant=team-b')).body.items as Array<{ id: string }>).map((t) => t.id)).not.toContain(id);

    // GraphQL applies the same rule.
    const gql = await fetch(`http://127.0.0.1:${svc.port}/graphql`, { method: 'POST', headers: authHeaders(keys['team-b']), body: JSON.stringify({ query: `{ task(id: "${id}") { id } }` }) });
    const gqlBody = (await gql.json()) as { data: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    expect(gqlBody.errors?.[0]?.extensions?.code).toBe('TASK_NOT_FOUND');
    // Every GraphQL list is the key's tenant's too (cursor pages, first pages, schedules).
    const gqlData = async (key: string, query: string) => {
      const r = await fetch(`http://127.0.0.1:${svc.port}/graphql`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ query }) });
      const b = (await r.json()) as { data?: Record<string, unknown>; errors?: unknown };
      if (b.errors) throw new Error(JSON.stringify(b.errors));
      return b.data!;
    };
    const idsOf = (items: unknown) => (items as Array<{ id: string }>).map((t) => t.id);
    expect(idsOf(((await gqlData(keys['team-b'], '{ tasksPage(limit: 1000) { items { id } } }')).tasksPage as { items: unknown }).items)).not.toContain(id);
    expect(idsOf(((await gqlData(keys['team-b'], '{ tasksPage(limit: 1000, tenant: "team-a") { items { id } } }')).tasksPage as { items: unknown }).items)).not.toContain(id);
    expect(idsOf(((await gqlData(keys['team-a'], '{ tasksPage(limit: 1000) { items { id } } }')).tasksPage as { items: unknown }).items)).toContain(id);
    expect(idsOf((await gqlData(keys['team-b'], '{ tasksList(limit: 1000) { id } }')).tasksList)).not.toContain(id);
    const gqlPost = async (key: string, query: string, variables: Record<string, unknown>) => {
      const r = await fetch(`http://127.0.0.1:${svc.port}/graphql`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ query, variables }) });
      return (await r.json()) as { data?: Record<string, { id: string; tenant?: string } | null>; errors?: Array<{ extensions?: { code?: string } }> };
    };
    const sched = await gqlPost(keys['team-a'], 'mutation($s: JSON!) { createSchedule(input: $s) { id } }', { s: { name: 'tenant-sched', trigger: { kind: 'interval', everyMs: 3_600_000 }, template: { kind: 'task', task: { run: { kind: 'noop' } } } } });
    const schedId = sched.data!.createSchedule!.id;
    expect((await call(`/api/schedules/${schedId}`, { key: keys['team-a'] })).body).toMatchObject({ id: schedId, tenant: 'team-a' });
    expect(idsOf((await gqlData(keys['team-b'], '{ schedulesList { id } }')).schedulesList)).not.toContain(schedId);
    expect(idsOf((await gqlData(keys['team-a'], '{ schedulesList { id } }')).schedulesList)).toContain(schedId);
    expect((await gqlPost(keys['team-b'], 'query($id: ID!) { schedule(id: $id) { id } }', { id: schedId })).errors?.[0]?.extensions?.code).toBe('SCHEDULE_NOT_FOUND');
    expect((await gqlPost(keys['team-b'], 'mutation($id: ID!) { pauseSchedule(id: $id) { id } }', { id: schedId })).errors?.[0]?.extensions?.code).toBe('SCHEDULE_NOT_FOUND');
    expect((await call(`/api/schedules/${schedId}`, { method: 'DELETE', key: keys['team-a'] })).status).toBe(200);

    // The task's decision records and the task counts of /api/stats follow the same rule.
    await waitFor('the task to finish', async () => (await task(id)).status === 'succeeded');
    await waitFor('its decision records', async () => ((await call(`/api/tasks/${id}/decisions`)).body.items as unknown[]).length > 0);
    expect((await call(`/api/tasks/${id}/decisions`, { key: keys['team-a'] })).body.items).not.toEqual([]);
    expect((await call(`/api/tasks/${id}/decisions`, { key: keys['team-b'] })).body).toEqual({ items: [] });
    // The decision listing by kind, node and time range (REST and GraphQL): a non-admin key sees only its tenant's tasks' decisions.
    type Listed = Array<{ taskId: string | null; kind: string }>;
    const listed = async (query: string, key?: string) => (await call(`/api/decisions?limit=1000${query}`, { key })).body.items as Listed;
    expect((await listed('', keys['team-a'])).map((d) => d.taskId)).toContain(id);
    expect((await listed('')).map((d) => d.taskId)).toContain(id);
    for (const query of ['', '&nodeId=n1', '&kind=placement,allocation,ordering', `&from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`]) {
      const seenByB = await listed(query, keys['team-b']);
      expect(seenByB.map((d) => d.taskId)).not.toContain(id);
      // team-b has no task yet: nothing at all, not even decisions about no task (node diagnoses, repairs).
      expect(seenByB).toEqual([]);
    }
    const gqlDecisions = async (key: string) => ((await gqlData(key, '{ decisions(limit: 1000) }')).decisions as { items: Listed }).items;
    expect((await gqlDecisions(keys['team-b'])).map((d) => d.taskId)).not.toContain(id);
    expect((await gqlDecisions(keys['team-a'])).map((d) => d.taskId)).toContain(id);
    // The analyzer's estimate of the task and its explanation: another tenant's task answers as an unknown one.
    await waitFor('its duration estimate', async () => (await call(`/api/predictions/${id}`)).status === 200, 30_000);
    expect((await call(`/api/predictions/${id}`, { key: keys['team-a'] })).body).toMatchObject({ taskId: id });
    const theirEstimate = await call(`/api/predictions/${id}`, { key: keys['team-b'] });
    const noEstimate = await call(`/api/predictions/${unknownId}`, { key: keys['team-b'] });
    expect(theirEstimate.status).toBe(404);
    expect(JSON.stringify(theirEstimate.body).replaceAll(id, '<id>')).toBe(JSON.stringify(noEstimate.body).replaceAll(unknownId, '<id>'));
    expect((await call(`/api/predictions/${id}/explanation`, { key: keys['team-b'] })).status).toBe(404);
    expect((await call(`/api/predictions/${id}/explanation`, { key: keys['team-a'] })).status).toBe(200);
    const gqlPrediction = await fetch(`http://127.0.0.1:${svc.port}/graphql`, { method: 'POST', headers: authHeaders(keys['team-b']), body: JSON.stringify({ query: `{ prediction(taskId: "${id}") { taskId } }` }) });
    expect(((await gqlPrediction.json()) as { errors?: unknown[] }).errors).toBeDefined();
    // Anomaly scores are per node metric: no task, no tenant's data in them.
    const anomalies = await call('/api/anomalies', { key: keys['team-b'] });
    expect(anomalies.status).toBe(200);
    for (const a of anomalies.body as unknown as Array<Record<string, unknown>>) expect(Object.keys(a).sort()).toEqual(['latest', 'learning', 'max', 'maxAt', 'metric', 'nodeId', 'points', 'samplesSeen']);
    const countOf = (b: Record<string, unknown>) => Object.values(b.tasks as Record<string, number>).reduce((x, y) => x + y, 0);
    expect(countOf((await call('/api/stats', { key: keys['team-b'] })).body)).toBe(0);
    expect(countOf((await call('/api/stats', { key: keys['team-a'] })).body)).toBe(1);

    // Workflows: the run and its tasks are the submitting tenant's.
    const wf = await call('/api/workflows', { method: 'POST', key: keys['team-a'], body: { name: 'wf', tasks: [{ key: 'only', run: { kind: 'noop', sleepMs: 0 }, resources: { cpuMillis: 10, memMb: 1 } }] } });
    expect(wf).toMatchObject({ status: 201, body: { tenant: 'team-a' } });
    const wfId = String(wf.body.id);
    expect((await call(`/api/workflows/${wfId}`, { key: keys['team-b'] })).body).toMatchObject({ error: 'WORKFLOW_NOT_FOUND' });
    expect((await call(`/api/workflows/${wfId}/cancel`, { method: 'POST', key: keys['team-b'] })).status).toBe(404);
    const wfTaskId = String(((wf.body.tasks as Array<{ taskId: string | null }>)[0]).taskId);
    expect((await call(`/api/tasks/${wfTaskId}`, { key: keys['team-a'] })).body).toMatchObject({ tenant: 'team-a' });
    expect((await call(`/api/tasks/${wfTaskId}`, { key: keys['team-b'] })).status).toBe(404);
  }, 60_000);

  it('quota REST: validated (4xx naming the field), admin only, null = unlimited', async () => {
    const bad = await call('/api/tenants/team-a/quota', { method: 'PUT', body: { maxRunningCpuMillis: -1 } });
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toContain('maxRunningCpuMillis');
    expect((await call('/api/tenants/Bad_Tenant/quota')).status).toBe(400);
    expect((await call('/api/tenants/team-a/quota', { key: keys['team-a'] })).status).toBe(403);
    expect((await call('/api/tenants/nobody/quota')).body).toMatchObject({ tenant: 'nobody', maxQueuedTasks: null, maxRunningCpuMillis: null, weight: 1 });
  });

  it("a tenant at its running quota keeps its tasks queued while another tenant's run; maxQueuedTasks refuses with 429", async () => {
    expect((await call('/api/tenants/team-a/quota', { method: 'PUT', body: { maxRunningCpuMillis: 1000 } })).body).toMatchObject({ tenant: 'team-a', maxRunningCpuMillis: 1000, maxQueuedTasks: null });
    const a1 = String((await submit(keys['team-a'], { kind: 'noop', sleepMs: 8000 }, { cpuMillis: 1000, memMb: 64 })).body.id);
    await waitFor('a1 to run', async () => (await task(a1)).status === 'running');
    const a2 = String((await submit(keys['team-a'], { kind: 'noop', sleepMs: 0 }, { cpuMillis: 1000, memMb: 64 })).body.id);
    const bs = await Promise.all([1, 2].map(async () => String((await submit(keys['team-b'], { kind: 'noop', sleepMs: 300 }, { cpuMillis: 1000, memMb: 64 })).body.id)));
    // The node has room for 8 such tasks: only team-a's quota holds a2 back.
    await waitFor("team-b's tasks to finish", async () => (await Promise.all(bs.map(task))).every((t) => t.status === 'succeeded'));
    const [t1, t2] = [await task(a1), await task(a2)];
    if (t1.status === 'running') expect(t2.status).toBe('queued');
    await waitFor('a2 to finish', async () => (await task(a2)).status === 'succeeded');
    const [done1, done2] = [await task(a1), await task(a2)];
    // Never both running: a2 started only once a1 had ended.
    expect(Date.parse(String(done2.startedAt))).toBeGreaterThanOrEqual(Date.parse(String(done1.finishedAt)));
    const bStarts = (await Promise.all(bs.map(task))).map((t) => Date.parse(String(t.startedAt)));
    expect(Math.max(...bStarts)).toBeLessThan(Date.parse(String(done2.startedAt)));

    // maxQueuedTasks: c1 runs, c2 waits (memory quota), c3 is refused.
    await call('/api/tenants/team-c/quota', { method: 'PUT', body: { maxQueuedTasks: 1, maxRunningMemMb: 100 } });
    const c1 = await submit(keys['team-c'], { kind: 'noop', sleepMs: 3000 }, { cpuMillis: 10, memMb: 64 });
    await waitFor('c1 to run', async () => (await task(String(c1.body.id))).status === 'running');
    expect((await submit(keys['team-c'], { kind: 'noop', sleepMs: 0 }, { cpuMillis: 10, memMb: 64 })).status).toBe(201);
    const c3 = await submit(keys['team-c'], { kind: 'noop', sleepMs: 0 }, { cpuMillis: 10, memMb: 64 });
    expect(c3).toMatchObject({ status: 429, body: { error: 'TENANT_QUOTA_EXCEEDED', details: { tenant: 'team-c', quota: 'maxQueuedTasks', limit: 1 } } });
    // A task that alone exceeds a running limit could never start: refused at once, naming the limit.
    expect((await submit(keys['team-c'], { kind: 'noop', sleepMs: 0 }, { cpuMillis: 10, memMb: 200 })).body).toMatchObject({ error: 'TENANT_QUOTA_EXCEEDED', details: { quota: 'maxRunningMemMb' } });
    // Another tenant is not affected.
    expect((await submit(keys['team-b'], { kind: 'noop', sleepMs: 0 }, { cpuMillis: 10, memMb: 64 })).status).toBe(201);
  }, 150_000);
});
