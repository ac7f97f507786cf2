import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { authHeaders, startService, TEST_ADMIN_KEY, type ServiceProcess } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Every field of each GraphQL type, so GraphQL and REST can be compared whole.
const TASK = 'id name queue priority status attempts maxAttempts run resources exitCode outputTail error nodeId predictedP50Ms createdAt startedAt finishedAt durationMs';
const WORKFLOW_SUMMARY = 'id name status generation counts createdAt updatedAt finishedAt';
const WORKFLOW = `${WORKFLOW_SUMMARY} tasks { key status dependsOn taskId taskStatus attempts generation exitCode error startedAt finishedAt } edges { from to origin files }`;
const QUEUES = 'defaultPolicy policies placements queues { queue policy placement maxConcurrent updatedAt queued running }';
const NODE = 'id executorId cpuMillis memMb status running lastHeartbeatAt';

const pick = (o: Record<string, unknown>, fields: string[]) => Object.fromEntries(fields.map((f) => [f, o[f]]));
const topFields = (sel: string) => sel.replace(/\{[^{}]*\}/g, '').split(/\s+/).filter(Boolean);

/** GraphQL at /graphql on standalone: same data as REST for every resource, subscriptions in order, limits. */
describe('GraphQL API (standalone)', () => {
  let dataDir: string;
  let svc: ServiceProcess;
  let ws: Client;
  const url = (p: string) => `http://127.0.0.1:${svc.port}${p}`;
  const rest = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const r = await fetch(url(path), { ...init, headers: authHeaders() });
    expect(r.status).toBeLessThan(300);
    return (await r.json()) as T;
  };
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const r = await fetch(url('/graphql'), { method: 'POST', headers: authHeaders(), body: JSON.stringify({ query, variables }) });
    return (await r.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions: Record<string, unknown> }> };
  };
  const data = async (query: string, variables: Record<string, unknown> = {}) => {
    const r = await gql(query, variables);
    expect(r.errors).toBeUndefined();
    return r.data!;
  };
  /** GraphQL equals REST read just before or just after it (live values such as heartbeats move). */
  const sameAsRest = async (readRest: () => Promise<unknown>, readGql: () => Promise<unknown>) => {
    for (let i = 0; ; i++) {
      const before = JSON.stringify(await readRest());
      const g = JSON.stringify(await readGql());
      const after = JSON.stringify(await readRest());
      if (g === before || g === after || i === 4) return expect(JSON.parse(g)).toEqual(JSON.parse(after));
      await sleep(300);
    }
  };
  const waitTask = async (id: string) => {
    const until = Date.now() + 60_000;
    for (;;) {
      const t = await rest<{ status: string }>(`/api/tasks/${id}`);
      if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(t.status)) return t;
      if (Date.now() > until) throw new Error(`task ${id} still ${t.status}`);
      await sleep(200);
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-gql-'));
    svc = await startService('standalone', { DATA_DIR: dataDir, EXECUTOR_NODES: 'g1:4000:4096', EXECUTOR_SLOTS: '4' });
    await svc.waitHealthy(120_000);
    ws = createClient({ url: `ws://127.0.0.1:${svc.port}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${TEST_ADMIN_KEY}` }, retryAttempts: 0 });
  }, 180_000);

  afterAll(async () => {
    await ws?.dispose();
    await svc?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a subscription receives every event of a task, in order, and ends with the task', async () => {
    const submitted = await data(`mutation($input: JSON!) { submitTask(input: $input) { created task { id status } } }`, {
      input: { name: 'gql-sub', run: { kind: 'shell', command: ['sh', '-c', 'sleep 0.3; exit 3'] }, maxAttempts: 2 },
    });
    const { id } = (submitted.submitTask as { task: { id: string } }).task;
    const got: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.subscribe({ query: 'subscription($id: ID!) { taskEvents(taskId: $id) }', variables: { id } }, { next: (m) => got.push(m.data?.taskEvents), error: reject, complete: resolve });
    });
    const final = await rest<{ events: unknown[]; status: string; attempts: number }>(`/api/tasks/${id}`);
    expect(final.status).toBe('failed');
    expect(final.attempts).toBe(2);
    expect(got).toEqual(final.events);
    const topics = (got as Array<{ topic: string }>).map((e) => e.topic);
    // Two attempts, each started and completed, after the queued event.
    expect(topics[0]).toBe('task.queued.v1');
    expect(topics.filter((x) => x === 'task.started.v1')).toHaveLength(2);
    expect(topics.at(-1)).toBe('task.completed.v1');
  }, 90_000);

  it('for every resource type, the same query through GraphQL and REST returns the same data', async () => {
    const t = (await data(`mutation($input: JSON!) { submitTask(input: $input) { task { id } } }`, { input: { name: 'gql-same', queue: 'gql', run: { kind: 'noop', sleepMs: 20 } } })).submitTask as { task: { id: string } };
    await waitTask(t.task.id);
    const wf = (await data(`mutation($input: JSON!) { submitWorkflow(input: $input) { id } }`, {
      input: { name: 'gql-wf', tasks: [{ key: 'a', run: { kind: 'noop' } }, { key: 'b', run: { kind: 'noop' }, dependsOn: ['a'] }] },
    })).submitWorkflow as { id: string };
    for (let until = Date.now() + 60_000; (await rest<{ status: string }>(`/api/workflows/${wf.id}`)).status === 'running'; ) {
      if (Date.now() > until) throw new Error('workflow still running');
      await sleep(200);
    }
    await data(`mutation { setQueuePolicy(queue: "gql", policy: "fifo", maxConcurrent: 3) }`);
    await sleep(1500); // the executor applies the command

    const detail = `${TASK} attemptsDetail events`;
    await sameAsRest(
      async () => pick(await rest(`/api/tasks/${t.task.id}`), topFields(detail)),
      async () => (await data(`query($id: ID!) { task(id: $id) { ${detail} } }`, { id: t.task.id })).task,
    );
    await sameAsRest(
      async () => (await rest<Array<Record<string, unknown>>>('/api/tasks?queue=gql&limit=5')).map((x) => pick(x, topFields(TASK))),
      async () => (await data(`{ tasksList(queue: "gql", limit: 5) { ${TASK} } }`)).tasksList,
    );
    await sameAsRest(
      () => rest(`/api/workflows/${wf.id}`),
      async () => (await data(`query($id: ID!) { workflow(id: $id) { ${WORKFLOW} } }`, { id: wf.id })).workflow,
    );
    await sameAsRest(
      () => rest('/api/workflows?limit=10'),
      async () => ((await data(`{ workflowsList(limit: 10) { ${WORKFLOW_SUMMARY} } }`)).workflowsList as unknown[]),
    );
    await sameAsRest(
      () => rest('/api/queues'),
      async () => (await data(`{ queuesList { ${QUEUES} } }`)).queuesList,
    );
    const queues = (await data(`{ queuesList { queues { queue maxConcurrent policy } } }`)).queuesList as { queues: Array<{ queue: string; maxConcurrent: number | null; policy: string }> };
    expect(queues.queues.find((q) => q.queue === 'gql')).toEqual({ queue: 'gql', maxConcurrent: 3, policy: 'fifo' });
    await sameAsRest(
      () => rest('/api/stats'),
      async () => (await data(`{ clusterStats { tasks nodes { ${NODE} } throughput } }`)).clusterStats,
    );
    await sameAsRest(
      async () => (await rest<{ nodes: unknown[] }>('/api/stats')).nodes,
      async () => (await data(`{ nodes { ${NODE} } }`)).nodes,
    );
    await sameAsRest(
      () => rest('/api/dead-letters'),
      async () => (await data('{ deadLettersList { eventId topic consumer reason original failedAt } }')).deadLettersList,
    );
    await data(`mutation { requestRepair(input: { action: { kind: "cordon_node", nodeId: "g1" }, reason: "graphql e2e" }) }`);
    await data(`mutation { requestRepair(input: { action: { kind: "uncordon_node", nodeId: "g1" }, reason: "graphql e2e" }) }`);
    await sameAsRest(
      () => rest('/api/repairs'),
      async () => (await data('{ repairsList }')).repairsList,
    );
  }, 150_000);

  it('refuses a query over the depth limit, and bad input, with clear errors carrying stable codes', async () => {
    const deep = await gql('{ clusterStats { tasks } __type(name: "Task") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }');
    expect(deep.errors?.[0]).toMatchObject({ message: 'query depth: operation anonymous nests 11 levels; the limit is 8', extensions: { code: 'QUERY_TOO_DEEP' } });
    const bad = await gql(`mutation { submitTask(input: { run: { kind: "shell", command: [] }, priority: "high" }) { task { id } } }`);
    expect(bad.errors?.[0].extensions.code).toBe('VALIDATION_FAILED');
    expect(bad.errors?.[0].message).toMatch(/run\.command/);
    expect(bad.errors?.[0].message).toMatch(/priority/);
    const missing = await gql('{ task(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'TASK_NOT_FOUND', status: 404 });
    const notUuid = await gql('{ task(id: "nope") { id } }');
    expect(notUuid.errors?.[0].extensions.code).toBe('VALIDATION_FAILED');
    // The service is still healthy after all of it.
    expect((await fetch(url('/health'))).status).toBe(200);
  }, 60_000);
});
