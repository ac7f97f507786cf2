import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { TOPICS, type Envelope } from '@kairos/contracts';
import { KafkaEventBus } from '@kairos/bus';
import { authHeaders, createTestDatabase, freePort, startMockKafka, startService, TEST_ADMIN_KEY, type MockKafka, type ServiceProcess } from '@kairos/testing';

// The README's "Distributed mode" block, run as a user would run it: extracted from README.md, with
// only the substitutions the README itself lists (test broker, test database, free ports, the mock
// broker's KAFKA_IDEMPOTENT=false and the test admin key). Then every endpoint of the README's API
// table must answer through the gateway, and 500 tasks must complete.
const ROOT = resolve(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The shell lines between the distributed-start and distributed-end markers. */
export function distributedBlock(readme: string): string[] {
  const m = /<!-- distributed-start[^>]*-->\s*```sh\n([\s\S]*?)```\s*<!-- distributed-end -->/.exec(readme);
  if (!m) throw new Error('README.md has no distributed-start … distributed-end block');
  return m[1].split('\n').filter((l) => l.trim() !== '');
}

/** API table rows: methods and concrete paths (each path of a row, `[/:id]` expanded both ways). */
export function apiTable(readme: string): Array<{ methods: string[]; path: string }> {
  const section = readme.slice(readme.indexOf('## API (REST, under /api)'));
  const rows: Array<{ methods: string[]; path: string }> = [];
  for (const line of section.split('\n').slice(4)) {
    if (!line.startsWith('|')) break;
    const [, method, paths] = line.split('|').map((c) => c.trim());
    const methods = method.split(',').map((x) => x.trim());
    let prefix = '';
    for (let p of paths.split(',').map((x) => x.trim())) {
      const inline = /^(GET|POST|PUT|DELETE) (.*)$/.exec(p);
      const own = inline ? [inline[1]] : methods;
      if (inline) p = inline[2];
      // "/cancel" after "/api/workflows/:id/rerun" continues the previous path's parent.
      if (!p.startsWith('/api')) p = `${prefix}${p}`;
      p = p.replace(/\?.*$/, '');
      const opt = /^(.*)\[(\/[^\]]+)\]$/.exec(p);
      const expanded = opt ? [opt[1], opt[1] + opt[2]] : [p];
      for (const e of expanded) rows.push({ methods: own, path: e });
      prefix = p.replace(/\/[^/]+$/, '');
    }
  }
  return rows;
}

/** What is wrong with one task's task.lifecycle.v1 sequence as received (null: a valid order). */
export function lifecycleOrderProblem(seq: ReadonlyArray<{ type: string; attempt: number }>): string | null {
  if (seq[0]?.type !== 'task.queued.v1') return `starts with ${seq[0]?.type ?? 'nothing'}`;
  let attempt = 0;
  let open = false;
  for (const [i, e] of seq.entries()) {
    if (i === 0) continue;
    if (e.type === 'task.started.v1') {
      if (open && e.attempt <= attempt) return `started ${e.attempt} after started ${attempt}`;
      if (e.attempt <= attempt) return `started ${e.attempt} after attempt ${attempt}`;
      attempt = e.attempt;
      open = true;
    } else if (e.type === 'task.attempt.lost.v1') {
      if (!open || e.attempt !== attempt) return `attempt.lost ${e.attempt} without its start`;
      open = false;
    } else if (e.type === 'task.completed.v1') {
      if (i !== seq.length - 1) return 'events after completed';
      if (e.attempt < attempt) return `completed ${e.attempt} before attempt ${attempt}`;
    } else return `unexpected ${e.type} at ${i}`;
  }
  return seq[seq.length - 1].type === 'task.completed.v1' ? null : 'no completed';
}

describe('README distributed mode, verbatim', () => {
  let kafka: MockKafka;
  let watcher: KafkaEventBus;
  // What a consumer of task.lifecycle.v1 received, per task, in arrival order (duplicates dropped).
  const lifecycle = new Map<string, Array<{ type: string; attempt: number }>>();
  const seen = new Set<string>();
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  let shell: ChildProcess;
  let out = '';
  const ports = new Map<number, number>();
  let gatewayPort = 0;
  const servicePorts: number[] = [];
  // As a client should: a 429 (the key's rate limit, RATE_LIMIT_PER_SEC) is retried after Retry-After.
  const api = async (path: string, init: RequestInit = {}): Promise<Response> => {
    for (;;) {
      const r = await fetch(`http://127.0.0.1:${gatewayPort}${path}`, { ...init, headers: authHeaders() });
      if (r.status !== 429) return r;
      await r.arrayBuffer();
      await new Promise((res) => setTimeout(res, 1000 * Number(r.headers.get('retry-after') ?? 1)));
    }
  };
  const dump = () => out.slice(-8000);

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 3 });
    db = await createTestDatabase();
    const lines = distributedBlock(README);
    expect(lines[0]).toBe('npm ci && npm run build');
    // In a clone, `npx kairos` is this checkout's CLI (node_modules/kairos-cli links apps/cli). A
    // worktree that borrows another checkout's node_modules would run that checkout's CLI instead.
    const npxIsHere = realpathSync(join(ROOT, 'node_modules', 'kairos-cli')) === realpathSync(join(ROOT, 'apps', 'cli'));
    let script = lines.slice(1).join('\n');
    for (const p of new Set([...script.matchAll(/\b(30[01]\d)\b/g)].map((m) => Number(m[1])))) ports.set(p, await freePort());
    script = script
      .replace('kafka1:9092,kafka2:9092', kafka.bootstrap.join(','))
      .replace('postgres://kairos@db:5432/kairos', db.url)
      // The generated admin key: the test's own, so its requests authenticate.
      .replace(/^export KAIROS_ADMIN_KEY=.*$/m, `export KAIROS_ADMIN_KEY=${TEST_ADMIN_KEY}`)
      .replace(/\b(30[01]\d)\b/g, (p) => String(ports.get(Number(p))));
    if (!npxIsHere) script = script.replaceAll('npx kairos', `node ${join(ROOT, 'apps/cli/bin/kairos.js')}`);
    gatewayPort = Number(/serve gateway --port (\d+)/.exec(script)![1]);
    for (const m of script.matchAll(/serve \w+ --port (\d+)/g)) servicePorts.push(Number(m[1]));
    expect(servicePorts).toHaveLength(6);
    shell = spawn('bash', ['-c', `${script}\nwait`], {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn', KAFKA_IDEMPOTENT: 'false', KAIROS_ADMIN_KEY: TEST_ADMIN_KEY, LEASE_MS: '5000', HEARTBEAT_MS: '1000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (c: Buffer) => void (out = (out + c.toString()).slice(-60_000));
    shell.stdout!.on('data', keep);
    shell.stderr!.on('data', keep);
    const deadline = Date.now() + 240_000;
    for (const port of servicePorts) {
      for (;;) {
        if (shell.exitCode !== null) throw new Error(`the README block exited with ${shell.exitCode}\n${dump()}`);
        const ok = await fetch(`http://127.0.0.1:${port}/health`, { headers: authHeaders() }).then((r) => r.ok, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`port ${port} not healthy\n${dump()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    watcher = new KafkaEventBus({ brokers: kafka.bootstrap, clientId: 'e2e-order', idempotent: false });
    await watcher.subscribe('task.lifecycle.v1', { group: 'e2e-order' }, async (e: Envelope<'task.lifecycle.v1'>) => {
      if (seen.has(e.eventId)) return;
      seen.add(e.eventId);
      const p = e.payload;
      const attempt = p.type === 'task.queued.v1' ? 0 : p.event.attempt;
      lifecycle.set(e.key, [...(lifecycle.get(e.key) ?? []), { type: p.type, attempt }]);
    });
    await watcher.start();
  }, 300_000);

  afterAll(async () => {
    await watcher?.close().catch(() => undefined);
    await pg?.end().catch(() => undefined);
    if (shell?.pid) {
      // 'close': every holder of the block's pipes is gone — the shell and every service it started. The
      // shell itself exits at once on SIGTERM; a service slow to stop would keep jest from exiting.
      const closed = new Promise((r) => (shell.stdout!.readableEnded && shell.stderr!.readableEnded ? r(null) : shell.once('close', r)));
      const group = (signal: NodeJS.Signals) => {
        try {
          process.kill(-shell.pid!, signal);
        } catch {
          /* the group is gone */
        }
      };
      group('SIGTERM');
      const t = setTimeout(() => group('SIGKILL'), 15_000);
      await closed;
      clearTimeout(t);
    }
    await kafka?.stop();
    await db?.drop().catch(() => undefined);
  }, 60_000);

  it('`kairos topics create` found every contract topic (the test broker cannot create them; its launcher did)', () => {
    expect(out).toContain(`0 created, ${TOPICS.length} already there`);
  });

  it('500 tasks submitted through the gateway complete, shared by both executors', async () => {
    const ids: string[] = [];
    let next = 0;
    const submit = async () => {
      while (next < 500) {
        const i = next++;
        const body = i % 10 === 0 ? { run: { kind: 'shell', command: ['echo', `task ${i}`] }, name: 'echo' } : { run: { kind: 'noop', sleepMs: i % 40 }, name: 'noop' };
        const r = await api('/api/tasks', { method: 'POST', body: JSON.stringify(body) });
        if (r.status !== 201) throw new Error(`submit ${i}: ${r.status} ${await r.text()}`);
        ids.push(((await r.json()) as { id: string }).id);
      }
    };
    await Promise.all(Array.from({ length: 8 }, submit));
    expect(ids).toHaveLength(500);
    const deadline = Date.now() + 300_000;
    let open = 500;
    while (Date.now() < deadline) {
      open = (await pg.query(`SELECT count(*)::int AS n FROM tasks WHERE status IN ('queued', 'running')`)).rows[0].n;
      if (open === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (open) throw new Error(`${open} tasks unfinished\n${dump()}`);
    const byStatus = (await pg.query(`SELECT status, count(*)::int AS n FROM tasks GROUP BY status`)).rows;
    expect(byStatus).toEqual([{ status: 'succeeded', n: 500 }]);
    const executors = (await pg.query(`SELECT DISTINCT executor_id FROM attempts`)).rows;
    expect(executors).toHaveLength(2);
    const stats = await api('/api/stats');
    expect(stats.status).toBe(200);

    // A consumer of task.lifecycle.v1 saw each task's events in the order they happened.
    const until = Date.now() + 120_000;
    while (ids.some((id) => lifecycle.get(id)?.at(-1)?.type !== 'task.completed.v1') && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
    const problems = ids.map((id) => [id, lifecycleOrderProblem(lifecycle.get(id) ?? [])]).filter(([, p]) => p !== null);
    expect(problems).toEqual([]);
    process.stdout.write(`task.lifecycle.v1: ${ids.length} tasks, every one in order (${seen.size} events)\n`);
  }, 420_000);

  it('every endpoint of the README API table answers through the gateway', async () => {
    const rows = apiTable(README);
    expect(rows.length).toBeGreaterThanOrEqual(25);
    const task = (await pg.query(`SELECT id FROM tasks ORDER BY created_at LIMIT 1`)).rows[0].id as string;
    const node = (await pg.query(`SELECT node_id FROM attempts LIMIT 1`)).rows[0].node_id as string;
    const wf = await api('/api/workflows', { method: 'POST', body: JSON.stringify({ name: 'readme', tasks: [{ key: 'a', run: { kind: 'noop', sleepMs: 1 } }] }) });
    expect(wf.status).toBe(201);
    const workflow = ((await wf.json()) as { id: string }).id;
    const rules = (await (await api('/api/diagnosis/rules')).json()) as Array<{ id: string }>;
    expect(rules.length).toBeGreaterThan(0);
    const concrete = (path: string) =>
      path
        .replace(/\/api\/(tasks|metrics\/tasks)\/:id/, (_m, p: string) => `/api/${p}/${task}`)
        .replace('/api/workflows/:id', `/api/workflows/${workflow}`)
        .replace('/api/metrics/nodes/:id', `/api/metrics/nodes/${node}`)
        .replace('/api/diagnosis/rules/:id', `/api/diagnosis/rules/${rules[0].id}`)
        // No schedule exists in this run: a well-formed id gets the gateway's own SCHEDULE_NOT_FOUND.
        .replace('/api/schedules/:id', '/api/schedules/00000000-0000-4000-8000-000000000000')
        .replace(':queue', 'default')
        .replace(':tenant', 'default')
        .replace(':name', 'duration')
        .replace(':taskId', task)
        .replace(':v', '999');
    const failures: string[] = [];
    const answered: string[] = [];
    for (const row of rows) {
      const path = concrete(row.path);
      // A read is sent as it is and must answer 200 (or its handler's not-found). A path the router has no GET for is sent with the
      // row's other methods and an invalid body ([]): its handler must answer (a refusal is fine, the
      // router's "Cannot POST …" 404 or a 5xx is not), so the check changes nothing.
      const methods = row.methods.includes('GET') ? ['GET', ...row.methods.filter((m) => m !== 'GET')] : row.methods;
      const tries: string[] = [];
      let ok = false;
      for (const method of methods) {
        const r = await api(path, method === 'GET' ? {} : { method, body: '[]' });
        const text = await r.text();
        const routerMiss = r.status === 404 && text.includes('Cannot ');
        tries.push(`${method} → ${r.status} ${text.slice(0, 160)}`);
        if (routerMiss) continue;
        // A read of something that does not exist yet (no duration model is trained in this test; the
        // analyzer's history may still trail the finished tasks) is the owner's own refusal with its
        // domain code, which is an answer.
        const domainRefusal = (r.status === 404 && /^\{"error":"[A-Z]+(_[A-Z]+)*_NOT_FOUND"/.test(text)) || (r.status === 409 && text.startsWith('{"error":"INSUFFICIENT_HISTORY"'));
        ok = method === 'GET' ? r.status === 200 || domainRefusal : r.status < 500;
        answered.push(`${method} ${row.path} ${r.status}`);
        break;
      }
      if (!ok) failures.push(`${path}: ${tries.join(' | ')}`);
    }
    process.stdout.write(`API table through the gateway:\n  ${answered.join('\n  ')}\n`);
    expect(failures).toEqual([]);
  }, 120_000);

  it("GraphQL on the gateway serves the analyzer's resources through the owner proxy: the same data as REST", async () => {
    type GqlBody = { data?: Record<string, unknown>; errors?: Array<{ extensions?: { code?: string; status?: number } }> };
    // GraphQL answers 200 with the owner's error: a rate-limited one (RATE_LIMITED, the key's rate at the
    // analyzer too) is retried, as `api` does for a 429.
    const post = async (query: string): Promise<GqlBody> => {
      for (;;) {
        const body = (await (await api('/graphql', { method: 'POST', body: JSON.stringify({ query }) })).json()) as GqlBody;
        if (body.errors?.[0]?.extensions?.code !== 'RATE_LIMITED') return body;
        await new Promise((res) => setTimeout(res, 1000));
      }
    };
    const gql = async (query: string) => {
      const body = await post(query);
      expect(body.errors).toBeUndefined();
      return body.data!;
    };
    const json = async (path: string) => {
      const r = await api(path);
      expect(r.status).toBe(200);
      return r.json();
    };
    const rule = 'id name description enabled target match conditions action minSamples';
    const cases: Array<[string, string, string]> = [
      ['/api/diagnosis/rules', `{ diagnosisRules { ${rule} } }`, 'diagnosisRules'],
      ['/api/diagnoses?limit=3', '{ diagnoses(limit: 3) { items { id ruleId target confidence explanation evidence action outcome reason actionId decidedBy decidedAt } nextCursor } }', 'diagnoses'],
      ['/api/models/duration/drift', '{ modelDrift(name: "duration") { name policy reports } }', 'modelDrift'],
    ];
    for (const [path, query, field] of cases) {
      const before = await json(path);
      const got = (await gql(query))[field];
      expect([path, got]).toEqual([path, before]);
    }
    // Errors keep the owner's stable code (the analyzer's 400, passed back by the proxy).
    const bad = await post('{ modelVersions(name: "Not A Name") { name } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  }, 60_000);

  it('the gateway answers 503 naming the owner when no replica of it is up', async () => {
    const dead = await freePort();
    let gw: ServiceProcess | undefined;
    try {
      gw = await startService('gateway', { KAFKA_BROKERS: kafka.bootstrap.join(','), KAFKA_IDEMPOTENT: 'false', DATABASE_URL: db.url, ANALYZER_URLS: `http://127.0.0.1:${dead}` }, 'gateway-no-analyzer');
      await gw.waitHealthy(120_000);
      const r = await fetch(`http://127.0.0.1:${gw.port}/api/models`, { headers: authHeaders() });
      expect(r.status).toBe(503);
      const body = (await r.json()) as { error: string; message: string };
      expect(body.error).toBe('OWNER_UNAVAILABLE');
      expect(body.message).toContain(`the analyzer is unreachable (ECONNREFUSED) at http://127.0.0.1:${dead}`);
      const m = await fetch(`http://127.0.0.1:${gw.port}/api/metrics/tasks/x`, { headers: authHeaders() });
      expect(m.status).toBe(503);
      expect(((await m.json()) as { message: string }).message).toContain('set COLLECTOR_URLS');
      // GraphQL's analyzer fields take the same way, and fail the same way.
      const g = await fetch(`http://127.0.0.1:${gw.port}/graphql`, { method: 'POST', headers: authHeaders(), body: JSON.stringify({ query: '{ models { name } }' }) });
      const gBody = (await g.json()) as { errors: Array<{ message: string; extensions: { code: string; status: number } }> };
      expect(gBody.errors[0].extensions).toMatchObject({ code: 'OWNER_UNAVAILABLE', status: 503 });
      expect(gBody.errors[0].message).toContain(`the analyzer is unreachable (ECONNREFUSED) at http://127.0.0.1:${dead}`);
    } finally {
      await gw?.kill();
    }
  }, 180_000);
});
