import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecisionRecordSchema, type DecisionRecord } from '@kairos/contracts';
import { authHeaders, createTestDatabase, startService, type ServiceProcess } from '@kairos/testing';

// "Why this node": a small workflow on standalone with two nodes; every task's placement decision is read
// back over REST with its score components and the runner-up (the other node) and why it lost.
interface WorkflowView {
  id: string;
  status: string;
  tasks: Array<{ key: string; taskId: string | null; status: string }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduling decision records (standalone, 2 nodes)', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let svc: ServiceProcess;
  const get = async <T>(path: string): Promise<{ status: number; data: T }> => {
    const r = await fetch(`http://127.0.0.1:${svc.port}${path}`, { headers: authHeaders() });
    return { status: r.status, data: (await r.json()) as T };
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-decisions-'));
    svc = await startService('standalone', { DATABASE_URL: tdb.url, DATA_DIR: dataDir, EXECUTOR_NODES: 'n1:4000:8192,n2:2000:4096', EXECUTOR_SLOTS: '4' }, 'decisions-standalone');
    await svc.waitHealthy(120_000);
  }, 180_000);
  afterAll(async () => {
    await svc?.kill();
    await tdb?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('records, for each task of a workflow, its placement with score components and the runner-up', async () => {
    const noop = { run: { kind: 'noop', sleepMs: 300 }, resources: { cpuMillis: 500, memMb: 256 } };
    const r = await fetch(`http://127.0.0.1:${svc.port}/api/workflows`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ name: 'why', tasks: [{ key: 'a', ...noop }, { key: 'b', ...noop, dependsOn: ['a'] }, { key: 'c', ...noop, dependsOn: ['a'] }, { key: 'd', ...noop, dependsOn: ['b', 'c'] }] }),
    });
    expect(r.status).toBe(201);
    const wf = (await r.json()) as WorkflowView;
    let view = wf;
    for (const until = Date.now() + 60_000; view.status === 'running' && Date.now() < until; ) {
      await sleep(200);
      view = (await get<WorkflowView>(`/api/workflows/${wf.id}`)).data;
    }
    expect(view.status).toBe('succeeded');
    expect(view.tasks).toHaveLength(4);

    for (const t of view.tasks) {
      // Written after the claim: allow the pass's batch to land.
      let items: DecisionRecord[] = [];
      for (const until = Date.now() + 10_000; !items.length && Date.now() < until; await sleep(100)) items = (await get<{ items: DecisionRecord[] }>(`/api/tasks/${t.taskId}/decisions`)).data.items;
      const placements = items.filter((x) => x.kind === 'placement');
      expect(placements).toHaveLength(1);
      const d = DecisionRecordSchema.parse(placements[0]);
      // The ordering decision of the same start: the default priority policy, its queue position and rank key.
      const ordering = items.filter((x) => x.kind === 'ordering');
      expect(ordering).toHaveLength(1);
      expect(DecisionRecordSchema.parse(ordering[0])).toMatchObject({ policy: { name: 'priority' }, taskId: t.taskId, nodeId: d.nodeId });
      expect(ordering[0]!.chosen.components.map((c) => c.name)).toEqual(['rank_key', 'queue_position']);
      const task = (await get<{ nodeId: string | null }>(`/api/tasks/${t.taskId}`)).data;
      expect(d).toMatchObject({ kind: 'placement', taskId: t.taskId, nodeId: task.nodeId, policy: { name: 'least-loaded', version: '1' }, objective: 'min', candidatesConsidered: 2 });
      expect(d.chosen.components.map((c) => c.name)).toEqual(expect.arrayContaining(['dominant_allocated_share', 'free_cpu_after_share', 'free_mem_after_share']));
      expect(d.runnerUp).not.toBeNull();
      expect(d.runnerUp!.candidate.id).toBe(d.nodeId === 'n1' ? 'n2' : 'n1');
      expect(['lower_score', 'tie_break', 'did_not_fit', 'constraint']).toContain(d.runnerUp!.reason);
      expect(d.inputs).toMatchObject({ requests: { cpuMillis: 500, memMb: 256 }, attempt: 1 });
      expect(d.summary).toContain(d.nodeId!);
      // What the start granted on that node (kind filter): the requests against its free capacity, no GPU.
      let allocations: DecisionRecord[] = [];
      for (const until = Date.now() + 10_000; !allocations.length && Date.now() < until; await sleep(100)) allocations = (await get<{ items: DecisionRecord[] }>(`/api/tasks/${t.taskId}/decisions?kind=allocation`)).data.items;
      expect(allocations).toHaveLength(1);
      const a = DecisionRecordSchema.parse(allocations[0]);
      expect(a).toMatchObject({ kind: 'allocation', taskId: t.taskId, nodeId: d.nodeId, policy: { name: 'node-grant' }, chosen: { id: 'gpus:none' }, inputs: { requests: { cpuMillis: 500, memMb: 256, gpu: 0 }, attempt: 1 } });
      expect(a.inputs.nodeFree!.cpuMillis).toBeGreaterThanOrEqual(500);
      expect(a.inputs.extra).toMatchObject({ nodeCpuMillis: d.nodeId === 'n1' ? 4000 : 2000, devicesGranted: 'none' });
    }
    const byKind = (await get<{ items: DecisionRecord[] }>('/api/decisions?kind=allocation&limit=1000')).data.items;
    expect(byKind.length).toBeGreaterThanOrEqual(4);
    expect(byKind.every((x) => x.kind === 'allocation')).toBe(true);
    const gql = await fetch(`http://127.0.0.1:${svc.port}/graphql`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ query: `{ taskDecisions(taskId: "${view.tasks[0]!.taskId}", kind: "allocation") }` }) });
    const gqlItems = ((await gql.json()) as { data: { taskDecisions: { items: DecisionRecord[] } } }).data.taskDecisions.items;
    expect(gqlItems.map((x) => x.kind)).toEqual(['allocation']);
  }, 120_000);

  it('lists decisions by node and time range, newest first, paginated; a reversed range is a 400 naming the field', async () => {
    const all = await get<{ items: DecisionRecord[]; nextCursor: string | null }>('/api/decisions?limit=1000');
    expect(all.status).toBe(200);
    expect(all.data.items.length).toBeGreaterThanOrEqual(12);
    const n1 = await get<{ items: DecisionRecord[] }>('/api/decisions?nodeId=n1');
    expect(n1.data.items.every((d) => d.nodeId === 'n1')).toBe(true);
    expect(n1.data.items.length + (await get<{ items: DecisionRecord[] }>('/api/decisions?nodeId=n2')).data.items.length).toBe(all.data.items.length);
    const times = all.data.items.map((d) => Date.parse(d.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const first = await get<{ items: DecisionRecord[]; nextCursor: string | null }>('/api/decisions?limit=2');
    expect(first.data.items).toHaveLength(2);
    const second = await get<{ items: DecisionRecord[] }>(`/api/decisions?limit=2&cursor=${first.data.nextCursor}`);
    expect(second.data.items[0]?.decisionId).toBe(all.data.items[2]?.decisionId);
    const future = await get<{ items: DecisionRecord[] }>(`/api/decisions?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(future.data.items).toEqual([]);
    const bad = await get<{ message: string }>('/api/decisions?from=2026-11-30T02:00:00Z&to=2026-11-30T01:00:00Z');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.data)).toContain('query.from');
    expect((await get<{ message: string }>('/api/tasks/not-a-uuid/decisions')).status).toBe(400);
  });

  it('records retry-or-fail decisions of a failing task and a repair decision, filtered by kind', async () => {
    const post = (path: string, body: unknown) => fetch(`http://127.0.0.1:${svc.port}${path}`, { method: 'POST', headers: authHeaders(), body: JSON.stringify(body) });
    const r = await post('/api/tasks', { name: 'fails-twice', maxAttempts: 2, run: { kind: 'shell', command: ['sh', '-c', 'exit 3'] } });
    expect(r.status).toBe(201);
    const { id } = (await r.json()) as { id: string };
    // Two attempts (the retry waits its back-off, 0.5–1 s), then the task fails; the records are batched on a timer.
    let retries: DecisionRecord[] = [];
    for (const until = Date.now() + 30_000; retries.length < 2 && Date.now() < until; await sleep(200)) retries = (await get<{ items: DecisionRecord[] }>(`/api/tasks/${id}/decisions?kind=retry`)).data.items;
    expect(retries.map((d) => [d.kind, d.inputs.attempt, d.chosen.id, d.runnerUp?.candidate.id, d.inputs.extra?.attemptsUsed, d.inputs.extra?.exitCode])).toEqual([
      ['retry', 1, 'retry', 'fail', 1, 3],
      ['retry', 2, 'fail', 'retry', 2, 3],
    ]);
    for (const d of retries) DecisionRecordSchema.parse(d);
    expect(retries[0]!.inputs.extra?.backoffMs).toBeGreaterThanOrEqual(500);
    const both = (await get<{ items: DecisionRecord[] }>(`/api/tasks/${id}/decisions?kind=placement,retry`)).data.items;
    expect(both.filter((d) => d.kind === 'placement')).toHaveLength(2);
    expect(both.every((d) => d.kind === 'placement' || d.kind === 'retry')).toBe(true);

    // A dry-run repair: the executor describes it and records a 'repair' decision about the node.
    expect((await post('/api/repairs', { action: { kind: 'cordon_node', nodeId: 'n2' }, reason: 'int test: dry run', dryRun: true, confidence: 0.7 })).status).toBeLessThan(300);
    let repairs: DecisionRecord[] = [];
    for (const until = Date.now() + 15_000; !repairs.length && Date.now() < until; await sleep(200)) repairs = (await get<{ items: DecisionRecord[] }>('/api/decisions?kind=repair&nodeId=n2')).data.items;
    expect(repairs).toHaveLength(1);
    expect(DecisionRecordSchema.parse(repairs[0])).toMatchObject({ kind: 'repair', taskId: null, nodeId: 'n2', confidence: 0.7, chosen: { id: 'apply' }, inputs: { extra: { action: 'cordon_node', status: 'dry_run', dryRun: true } } });
    const onlyRetries = (await get<{ items: DecisionRecord[] }>('/api/decisions?kind=retry&limit=1000')).data.items;
    expect(onlyRetries.map((d) => d.decisionId).sort()).toEqual(retries.map((d) => d.decisionId).sort());
    const bad = await get<{ message: string }>('/api/decisions?kind=retry,bogus');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.data)).toContain('query.kind');
  }, 60_000);
});
