import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { authHeaders, startService, TEST_ADMIN_KEY, type ServiceProcess } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Every field of each GraphQL type, so GraphQL and REST can be compared whole.
const TASK = 'id name tenant queue priority status attempts maxAttempts run resources exitCode outputTail error nodeId predictedP50Ms createdAt startedAt finishedAt durationMs';
const WORKFLOW_SUMMARY = 'id name tenant status generation counts createdAt updatedAt finishedAt';
const WORKFLOW = `${WORKFLOW_SUMMARY} tasks { key status dependsOn taskId taskStatus attempts generation exitCode error startedAt finishedAt } edges { from to origin files }`;
const QUEUES = 'defaultPolicy policies placements queues { queue policy placement maxConcurrent updatedAt queued running }';
const NODE = 'id executorId cpuMillis memMb status running lastHeartbeatAt';

const pick = (o: Record<string, unknown>, fields: string[]) => Object.fromEntries(fields.map((f) => [f, o[f]]));

type Selection = Map<string, Selection | null>;
/** A GraphQL selection ('a b { c d }') as a tree of field names. */
function parseSelection(sel: string): Selection {
  const tokens = sel.match(/[A-Za-z_][A-Za-z0-9_]*|[{}]/g) ?? [];
  let i = 0;
  const level = (): Selection => {
    const out: Selection = new Map();
    while (i < tokens.length && tokens[i] !== '}') {
      const name = tokens[i++];
      if (tokens[i] === '{') {
        i++;
        out.set(name, level());
        i++;
      } else out.set(name, null);
    }
    return out;
  };
  return level();
}
/** A REST JSON value cut to a GraphQL selection, with absent optional fields as GraphQL's null. */
function shape(v: unknown, sel: Selection | null): unknown {
  if (Array.isArray(v)) return v.map((x) => shape(x, sel));
  if (v === undefined || v === null) return null;
  if (!sel) return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries([...sel].map(([k, sub]) => [k, shape(o[k], sub)]));
}
const MODEL_VERSION = 'name version stage metrics trainingWindow features featureSchemaHash backend artifact artifactFormat createdAt createdBy notes stageChangedAt';
const STAGE_CHANGE = 'version from to reason at by note gate';
const ANOMALY = 'nodeId metric points latest max maxAt samplesSeen learning';
const DIAGNOSIS = 'id ruleId target confidence explanation evidence action outcome reason actionId decidedBy decidedAt';
const RULE = 'id name description enabled target match conditions action minSamples';
const SCHEDULE = 'id name tenant template trigger startAt endAt misfire concurrency jitterMs shards circuitBreaker paused createdAt revision updatedAt deletedAt state nextTickAt';
const TICK = 'tickAt shard shardCount outcome skipReason detail taskId taskStatus attempts fireAt firedAt startedAt finishedAt delayMs catchUp trial';
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
      if (g === before || g === after || i === 9) return expect(JSON.parse(g)).toEqual(JSON.parse(after));
      await sleep(500);
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
    // Decision records: per task (with a kind filter) and by node.
    await sameAsRest(
      () => rest(`/api/tasks/${t.task.id}/decisions`),
      async () => (await data(`query($id: ID!) { taskDecisions(taskId: $id) }`, { id: t.task.id })).taskDecisions,
    );
    expect(((await rest<{ items: unknown[] }>(`/api/tasks/${t.task.id}/decisions`)).items).length).toBeGreaterThan(0);
    await sameAsRest(
      () => rest(`/api/tasks/${t.task.id}/decisions?kind=placement`),
      async () => (await data(`query($id: ID!) { taskDecisions(taskId: $id, kind: "placement") }`, { id: t.task.id })).taskDecisions,
    );
    await sameAsRest(
      () => rest('/api/decisions?nodeId=g1&limit=5'),
      async () => (await data('{ decisions(nodeId: "g1", limit: 5) }')).decisions,
    );
    await sameAsRest(
      async () => (await rest<{ items: Array<Record<string, unknown>> }>('/api/tasks?queue=gql&limit=5')).items.map((x) => pick(x, topFields(TASK))),
      async () => (await data(`{ tasksList(queue: "gql", limit: 5) { ${TASK} } }`)).tasksList,
    );
    await sameAsRest(
      () => rest(`/api/workflows/${wf.id}`),
      async () => (await data(`query($id: ID!) { workflow(id: $id) { ${WORKFLOW} } }`, { id: wf.id })).workflow,
    );
    await sameAsRest(
      async () => (await rest<{ items: unknown[] }>('/api/workflows?limit=10')).items,
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
      async () => (await rest<{ items: unknown[] }>('/api/dead-letters')).items,
      async () => (await data('{ deadLettersList { eventId topic consumer reason original originalBytes failedAt } }')).deadLettersList,
    );
    await data(`mutation { requestRepair(input: { action: { kind: "cordon_node", nodeId: "g1" }, reason: "graphql e2e" }) }`);
    await data(`mutation { requestRepair(input: { action: { kind: "uncordon_node", nodeId: "g1" }, reason: "graphql e2e" }) }`);
    await sameAsRest(
      async () => (await rest<{ items: unknown[] }>('/api/repairs')).items,
      async () => (await data('{ repairsList }')).repairsList,
    );
  }, 150_000);

  /** Submits `n` quick tasks and waits until every one succeeded (the history a training run needs). */
  const runQuickTasks = async (n: number, queue: string) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await fetch(url('/api/tasks'), { method: 'POST', headers: authHeaders(), body: JSON.stringify({ name: `gql-hist-${i % 3}`, queue, run: { kind: 'noop', sleepMs: 10 + (i % 3) * 20 } }) });
      expect(r.status).toBe(201);
      ids.push(((await r.json()) as { id: string }).id);
    }
    for (const id of ids) expect((await waitTask(id)).status).toBe('succeeded');
    return ids;
  };
  /** Trains through GraphQL, retrying while the analyzer has not yet consumed enough completions. */
  const trainViaGraphQL = async () => {
    for (let until = Date.now() + 60_000; ; ) {
      const r = await gql(`mutation { trainModel(input: { trees: 20 }) { ${MODEL_VERSION} } }`);
      if (!r.errors) return r.data!.trainModel as { version: number; name: string };
      expect(r.errors[0].extensions.code).toBe('INSUFFICIENT_HISTORY');
      if (Date.now() > until) throw new Error(`training still refused: ${r.errors[0].message}`);
      await sleep(1000);
    }
  };

  it('analyzer, key and schedule resources, and cursor pages: the same data through GraphQL and REST', async () => {
    const taskIds = await runQuickTasks(35, 'gql-hist');
    // The analyzer records each task's estimate as it consumes task.queued (asynchronously).
    for (let until = Date.now() + 30_000; (await fetch(url(`/api/predictions/${taskIds[0]}`), { headers: authHeaders() })).status !== 200; await sleep(250)) {
      if (Date.now() > until) throw new Error('no prediction recorded');
    }
    const trained = await trainViaGraphQL();
    expect(trained.name).toBe('duration');

    // Metric points for the collector's reads.
    const now = Date.now();
    const points = Array.from({ length: 5 }, (_, i) => ({ metric: 'gql.load', value: i, ts: new Date(now - (5 - i) * 1000).toISOString(), labels: { host: 'h1' } }));
    expect((await fetch(url('/api/metrics/batch'), { method: 'POST', headers: authHeaders(), body: JSON.stringify({ source: 'gql-e2e', points }) })).status).toBe(202);
    for (let until = Date.now() + 30_000; !(await rest<unknown[]>('/api/metrics/series?metric=gql.load')).length; await sleep(250)) if (Date.now() > until) throw new Error('metric points not stored');
    const from = new Date(now - 60_000).toISOString();
    const to = new Date(now + 60_000).toISOString();

    const cases: Array<{ what: string; rest: string; query: string; field: string; sel: string; vars?: Record<string, unknown> }> = [
      { what: 'task metrics', rest: `/api/metrics/tasks/${taskIds[0]}`, query: 'query($id: ID!) { taskMetrics(taskId: $id) }', vars: { id: taskIds[0] }, field: 'taskMetrics', sel: '' },
      { what: 'node rollups', rest: '/api/metrics/nodes/g1/rollups', query: '{ nodeRollups(nodeId: "g1") }', field: 'nodeRollups', sel: '' },
      { what: 'metric series', rest: '/api/metrics/series?metric=gql.load&labels=host%3Dh1', query: '{ metricSeries(metric: "gql.load", labels: "host=h1") }', field: 'metricSeries', sel: '' },
      { what: 'metric latest', rest: '/api/metrics/latest?metric=gql.load', query: '{ metricLatest(metric: "gql.load") }', field: 'metricLatest', sel: '' },
      { what: 'metric range', rest: `/api/metrics/query?metric=gql.load&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&step=10s&agg=max`, query: 'query($f: String!, $t: String!) { metricRange(metric: "gql.load", from: $f, to: $t, step: "10s", agg: "max") }', vars: { f: from, t: to }, field: 'metricRange', sel: '' },
      { what: 'models', rest: '/api/models', query: `{ models { name versions production { ${MODEL_VERSION} } revision } }`, field: 'models', sel: `name versions production { ${MODEL_VERSION} } revision` },
      { what: 'model versions', rest: '/api/models/duration/versions', query: `{ modelVersions(name: "duration") { name versions { ${MODEL_VERSION} } history { ${STAGE_CHANGE} } } }`, field: 'modelVersions', sel: `name versions { ${MODEL_VERSION} } history { ${STAGE_CHANGE} }` },
      { what: 'model accuracy', rest: '/api/models/duration/accuracy', query: '{ modelAccuracy(name: "duration") }', field: 'modelAccuracy', sel: '' },
      { what: 'model drift', rest: '/api/models/duration/drift', query: '{ modelDrift(name: "duration") { name policy reports } }', field: 'modelDrift', sel: 'name policy reports' },
      { what: 'prediction', rest: `/api/predictions/${taskIds[0]}`, query: 'query($id: ID!) { prediction(taskId: $id) { taskId signature p50Ms p90Ms model modelVersion basedOn estimatedAt } }', vars: { id: taskIds[0] }, field: 'prediction', sel: 'taskId signature p50Ms p90Ms model modelVersion basedOn estimatedAt' },
      { what: 'patterns', rest: '/api/patterns?limit=50', query: '{ patterns(limit: 50) { tasks k patterns silhouetteByK } }', field: 'patterns', sel: 'tasks k patterns silhouetteByK' },
      { what: 'anomalies', rest: '/api/anomalies?windowSec=120', query: `{ anomalies(windowSec: 120) { ${ANOMALY} } }`, field: 'anomalies', sel: ANOMALY },
      { what: 'diagnoses', rest: '/api/diagnoses?limit=5', query: `{ diagnoses(limit: 5) { items { ${DIAGNOSIS} } nextCursor } }`, field: 'diagnoses', sel: `items { ${DIAGNOSIS} } nextCursor` },
      { what: 'diagnosis rules', rest: '/api/diagnosis/rules', query: `{ diagnosisRules { ${RULE} } }`, field: 'diagnosisRules', sel: RULE },
      { what: 'api keys', rest: '/api/keys', query: '{ apiKeys { id name scopes tenant createdBy createdAt revokedAt } }', field: 'apiKeys', sel: 'id name scopes tenant createdBy createdAt revokedAt' },
      { what: 'schedules', rest: '/api/schedules', query: `{ schedulesList { ${SCHEDULE} } }`, field: 'schedulesList', sel: SCHEDULE },
      { what: 'repairs page', rest: '/api/repairs?limit=1', query: '{ repairsPage(limit: 1) { items nextCursor } }', field: 'repairsPage', sel: 'items nextCursor' },
      { what: 'tasks page', rest: '/api/tasks?queue=gql-hist&limit=10', query: `{ tasksPage(queue: "gql-hist", limit: 10) { items { ${TASK} } nextCursor } }`, field: 'tasksPage', sel: `items { ${TASK} } nextCursor` },
      { what: 'workflows page', rest: '/api/workflows?limit=1', query: `{ workflowsPage(limit: 1) { items { ${WORKFLOW_SUMMARY} } nextCursor } }`, field: 'workflowsPage', sel: `items { ${WORKFLOW_SUMMARY} } nextCursor` },
    ];
    for (const c of cases) {
      const sel = c.sel ? parseSelection(c.sel) : null;
      if (process.env.GQL_E2E_SHOW) console.log(c.what, JSON.stringify(await rest(c.rest)).slice(0, 200));
      await sameAsRest(
        async () => ({ what: c.what, v: shape(await rest(c.rest), sel) }),
        async () => ({ what: c.what, v: (await data(c.query, c.vars))[c.field] }),
      );
    }

    // A second page through the cursor is REST's second page.
    const page1 = (await data(`{ tasksPage(queue: "gql-hist", limit: 10) { nextCursor } }`)).tasksPage as { nextCursor: string };
    expect(page1.nextCursor).toEqual(expect.any(String));
    await sameAsRest(
      async () => shape(await rest(`/api/tasks?queue=gql-hist&limit=10&cursor=${encodeURIComponent(page1.nextCursor)}`), parseSelection(`items { ${TASK} } nextCursor`)),
      async () => (await data(`query($c: String) { tasksPage(queue: "gql-hist", limit: 10, cursor: $c) { items { ${TASK} } nextCursor } }`, { c: page1.nextCursor })).tasksPage,
    );

    // Writes: a diagnosis rule, an API key, a schedule, each read back through REST.
    const rule = { id: 'gql-e2e-rule', name: 'graphql e2e', target: 'node', conditions: [{ metric: 'cpuPercent', aggregate: 'avg', windowSec: 60, operator: '>', threshold: 1000 }], action: { kind: 'cordon_node', nodeId: '{nodeId}' } };
    const created = (await data(`mutation($r: JSON!) { createDiagnosisRule(input: $r) { ${RULE} } }`, { r: rule })).createDiagnosisRule;
    expect(created).toEqual(shape(await rest('/api/diagnosis/rules/gql-e2e-rule'), parseSelection(RULE)));
    expect((await data('mutation { deleteDiagnosisRule(id: "gql-e2e-rule") }')).deleteDiagnosisRule).toBe(true);
    expect((await fetch(url('/api/diagnosis/rules/gql-e2e-rule'), { headers: authHeaders() })).status).toBe(404);

    // The dashboard's session cookie: a write needs this server's Origin, and the analyzer's REST route
    // behind the GraphQL field sees the same Host and Origin as the GraphQL request (here "localhost").
    const signIn = await fetch(url('/api/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: TEST_ADMIN_KEY }) });
    expect(signIn.status).toBe(204);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0];
    const viaCookie = (query: string, origin: string | null) =>
      new Promise<{ data?: Record<string, unknown>; errors?: Array<{ extensions: Record<string, unknown> }> }>((resolve, reject) => {
        const host = `localhost:${svc.port}`;
        const headers: Record<string, string> = { host, cookie, 'content-type': 'application/json', ...(origin ? { origin } : {}) };
        const r = httpRequest({ host: '127.0.0.1', port: svc.port, path: '/graphql', method: 'POST', headers }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(JSON.parse(text)));
        });
        r.on('error', reject);
        r.end(JSON.stringify({ query }));
      });
    const cookieRule = JSON.stringify({ ...rule, id: 'gql-cookie-rule' }).replace(/"([a-zA-Z]+)":/g, '$1:');
    const noOrigin = await viaCookie(`mutation { createDiagnosisRule(input: ${cookieRule}) { id } }`, null);
    expect(noOrigin.errors?.[0].extensions.code).toBe('SESSION_ORIGIN_REQUIRED');
    const withOrigin = await viaCookie(`mutation { createDiagnosisRule(input: ${cookieRule}) { id } }`, `http://localhost:${svc.port}`);
    expect(withOrigin).toEqual({ data: { createDiagnosisRule: { id: 'gql-cookie-rule' } } });
    expect((await viaCookie('mutation { deleteDiagnosisRule(id: "gql-cookie-rule") }', `http://localhost:${svc.port}`)).data).toEqual({ deleteDiagnosisRule: true });

    const key = (await data('mutation { createApiKey(name: "gql-reader", scopes: ["read"]) { id key scopes revokedAt } }')).createApiKey as { id: string; key: string; scopes: string[] };
    expect(key.scopes).toEqual(['read']);
    expect((await data('{ apiKeys { id } }')).apiKeys).toContainEqual({ id: key.id });
    // The read key may read the analyzer's data through GraphQL, but not deploy a model: the same scopes as REST.
    const asReader = async (query: string) => (await (await fetch(url('/graphql'), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` }, body: JSON.stringify({ query }) })).json()) as { data?: unknown; errors?: Array<{ extensions: Record<string, unknown> }> };
    expect((await asReader('{ models { name } }')).errors).toBeUndefined();
    expect((await asReader(`mutation { deployModel(name: "duration", version: ${trained.version}) { stage } }`)).errors?.[0].extensions).toMatchObject({ code: 'SCOPE_INSUFFICIENT', status: 403 });
    expect((await asReader('{ apiKeys { id } }')).errors?.[0].extensions.code).toBe('SCOPE_INSUFFICIENT');
    const revoked = (await data(`mutation($id: ID!) { revokeApiKey(keyId: $id) { id revokedAt } }`, { id: key.id })).revokeApiKey as { revokedAt: string | null };
    expect(revoked.revokedAt).toEqual(expect.any(String));
    expect((await asReader('{ models { name } }')).errors?.[0].extensions.code).toBe('KEY_REVOKED');

    const sched = (await data(`mutation($s: JSON!) { createSchedule(input: $s) { ${SCHEDULE} } }`, { s: { name: 'gql-sched', trigger: { kind: 'interval', everyMs: 3_600_000 }, template: { kind: 'task', task: { run: { kind: 'noop' } } } } })).createSchedule as { id: string };
    // The definition as created is what REST reads back (the executor's state may move meanwhile).
    const DEFINITION = 'id name template trigger startAt endAt misfire concurrency jitterMs shards circuitBreaker createdAt';
    expect(shape(sched, parseSelection(DEFINITION))).toEqual(shape(await rest(`/api/schedules/${sched.id}`), parseSelection(DEFINITION)));
    const paused = (await data(`mutation($id: ID!) { pauseSchedule(id: $id) { paused } }`, { id: sched.id })).pauseSchedule as { paused: boolean };
    expect(paused.paused).toBe(true);
    await sameAsRest(
      async () => shape(await rest(`/api/schedules/${sched.id}`), parseSelection(SCHEDULE)),
      async () => (await data(`query($id: ID!) { schedule(id: $id) { ${SCHEDULE} } }`, { id: sched.id })).schedule,
    );
    await sameAsRest(
      async () => shape(await rest('/api/schedules'), parseSelection(SCHEDULE)),
      async () => (await data(`{ schedulesList { ${SCHEDULE} } }`)).schedulesList,
    );
    await data(`mutation($id: ID!) { resumeSchedule(id: $id) { paused } }`, { id: sched.id });
    const triggered = (await data(`mutation($id: ID!) { triggerSchedule(id: $id) { tickAt tasks } }`, { id: sched.id })).triggerSchedule as { tasks: unknown[] };
    expect(triggered.tasks.length).toBeGreaterThan(0);
    await sameAsRest(
      async () => shape(await rest(`/api/schedules/${sched.id}/ticks`), parseSelection(TICK)),
      async () => (await data(`query($id: ID!) { scheduleTicks(id: $id) { ${TICK} } }`, { id: sched.id })).scheduleTicks,
    );
    expect(((await data(`mutation($id: ID!) { deleteSchedule(id: $id) { deletedAt } }`, { id: sched.id })).deleteSchedule as { deletedAt: string | null }).deletedAt).toEqual(expect.any(String));
  }, 240_000);

  it('subscriptions deliver model stage changes in order, node changes and anomaly peaks', async () => {
    // Model events: from the first stage change, in order, including those that happen while subscribed.
    const modelEvents: Array<{ version: number; to: string; reason: string }> = [];
    const unsubscribeModel = ws.subscribe({ query: `subscription { modelEvents(name: "duration") { ${STAGE_CHANGE} } }` }, { next: (m) => modelEvents.push(m.data?.modelEvents as never), error: () => undefined, complete: () => undefined });
    await runQuickTasks(3, 'gql-hist');
    const trained = await trainViaGraphQL();
    const deploy = async (version: number) => (await data(`mutation { deployModel(name: "duration", version: ${version}, forceReason: "graphql e2e") { version stage } }`)).deployModel;
    // v1 (trained by the test before) to production, then this run's version, then back to v1.
    expect(trained.version).toBeGreaterThan(1);
    expect(await deploy(1)).toEqual({ version: 1, stage: 'production' });
    expect(await deploy(trained.version)).toEqual({ version: trained.version, stage: 'production' });
    expect((await data('mutation { rollbackModel(name: "duration") { version stage } }')).rollbackModel).toEqual({ version: 1, stage: 'production' });
    const history = async () => (await rest<{ history: unknown[] }>('/api/models/duration/versions')).history;
    for (let until = Date.now() + 30_000; modelEvents.length < (await history()).length; ) {
      if (Date.now() > until) throw new Error(`model events: ${modelEvents.length} of ${(await history()).length}`);
      await sleep(250);
    }
    unsubscribeModel();
    expect(modelEvents).toEqual(shape(await history(), parseSelection(STAGE_CHANGE)));
    // A promotion archives the version it replaces; a rollback archives the one it takes down.
    expect(modelEvents.map((e) => [e.version, e.reason, e.to])).toEqual([
      [1, 'register', 'candidate'],
      [trained.version, 'register', 'candidate'],
      [1, 'promote', 'production'],
      [1, 'promote', 'archived'],
      [trained.version, 'promote', 'production'],
      [trained.version, 'rollback', 'archived'],
      [1, 'rollback', 'production'],
    ]);

    // Node events: the node first, then its change when cordoned.
    const nodeEvents: Array<{ id: string; status: string }> = [];
    const unsubscribeNodes = ws.subscribe({ query: `subscription { nodeUpdates { ${NODE} } }` }, { next: (m) => nodeEvents.push(m.data?.nodeUpdates as never), error: () => undefined, complete: () => undefined });
    for (let until = Date.now() + 15_000; !nodeEvents.length; await sleep(100)) if (Date.now() > until) throw new Error('no node event');
    expect(nodeEvents[0]).toMatchObject({ id: 'g1', status: 'ready' });
    await data(`mutation { requestRepair(input: { action: { kind: "cordon_node", nodeId: "g1" }, reason: "graphql e2e node events" }) }`);
    for (let until = Date.now() + 30_000; !nodeEvents.some((n) => n.status === 'cordoned'); await sleep(100)) if (Date.now() > until) throw new Error(`node events: ${JSON.stringify(nodeEvents)}`);
    await data(`mutation { requestRepair(input: { action: { kind: "uncordon_node", nodeId: "g1" }, reason: "graphql e2e node events" }) }`);
    unsubscribeNodes();

    // Anomaly events: with threshold 0 every scored node metric's peak is an event; each names a stream REST reports.
    const anomalyEvents: Array<{ nodeId: string; metric: string; maxAt: string }> = [];
    const unsubscribeAnomalies = ws.subscribe({ query: `subscription { anomalyEvents(threshold: 0, windowSec: 600) { ${ANOMALY} } }` }, { next: (m) => anomalyEvents.push(m.data?.anomalyEvents as never), error: () => undefined, complete: () => undefined });
    for (let until = Date.now() + 30_000; !anomalyEvents.length; await sleep(200)) if (Date.now() > until) throw new Error('no anomaly event');
    unsubscribeAnomalies();
    const streams = await rest<Array<{ nodeId: string; metric: string }>>('/api/anomalies?windowSec=600');
    for (const e of anomalyEvents) expect(streams).toContainEqual(expect.objectContaining({ nodeId: e.nodeId, metric: e.metric }));
    const times = anomalyEvents.map((e) => Date.parse(e.maxAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // Depth and complexity limits hold for subscriptions and for the new query fields too.
    const tooDeep: unknown[] = [];
    await new Promise<void>((resolve) => {
      ws.subscribe({ query: 'subscription { modelEvents(name: "duration") { version __type(name: "Task") { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }' }, { next: (m) => tooDeep.push(m), error: (e) => (tooDeep.push(e), resolve()), complete: resolve });
    });
    expect(JSON.stringify(tooDeep)).toMatch(/QUERY_TOO_DEEP/);
    const wide = await gql(`{ models { ${Array.from({ length: 401 }, (_, i) => `n${i}: name`).join(' ')} } }`);
    expect(wide.errors?.[0].extensions.code).toBe('QUERY_TOO_COMPLEX');

    // A bad threshold is refused with the stable code.
    const refused: unknown[] = [];
    await new Promise<void>((resolve) => {
      ws.subscribe({ query: 'subscription { anomalyEvents(threshold: 2) { nodeId } }' }, { next: (m) => refused.push(m), error: (e) => (refused.push(e), resolve()), complete: resolve });
    });
    expect(refused).toEqual([expect.objectContaining({ errors: [expect.objectContaining({ message: 'threshold: must be between 0 and 1 (got 2)', extensions: expect.objectContaining({ code: 'VALIDATION_FAILED' }) })] })]);
  }, 180_000);

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
