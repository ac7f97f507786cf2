import { cliHarness, jsonReply, type FakeRequest } from '../test/cli-harness';
import { makeTaskView, makeWorkflowView } from '../test/api-factories';

const WF = '11111111-1111-4111-8111-111111111111';
const KEY = `kairos_0123456789abcdef_${'A'.repeat(43)}`;
const WF_YAML = ['name: demo', 'tasks:', '  - key: a', '    run: { kind: noop }', '  - key: b', '    dependsOn: [a]', '    run: { kind: noop }', ''].join('\n');

/** An API whose workflow advances one scripted view per GET (the last repeats). */
function workflowApi(views: ReturnType<typeof makeWorkflowView>[]) {
  let polls = 0;
  return (req: FakeRequest) => {
    if (req.method === 'POST' && req.path === '/api/workflows') return jsonReply(201, views[0]);
    if (req.method === 'GET' && req.path === `/api/workflows/${WF}`) return jsonReply(200, views[Math.min(polls++, views.length - 1)]);
    if (req.method === 'GET' && req.path.startsWith('/api/predictions/')) return jsonReply(404, { error: 'PREDICTION_NOT_FOUND', message: 'none' });
    return undefined;
  };
}

describe('kairos: arguments and exit codes', () => {
  const h = cliHarness(() => undefined);

  it.each([
    [['ls', '--bogus'], /error: unknown option '--bogus'/],
    [['ls', '--limit', 'x'], /option '--limit <n>' argument 'x' is invalid\. must be a whole number from 1 to 1000/],
    [['ls', '--limit', '0'], /--limit <n>/],
    [['watch'], /missing required argument 'id'/],
    [['ls', 'nodes'], /value 'nodes' is invalid for argument 'what'\. Allowed choices are tasks, workflows/],
    [['submit', '--interval', '5'], /--interval <duration>.*must be a duration like 500ms, 30s, 5m or 1h/],
    [['submit', '--priority', '101', '--', 'true'], /--priority <0-100>.*from 0 to 100/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['serve', 'db'], /value 'db' is invalid for argument 'service'\. Allowed choices are gateway, collector, analyzer, executor, standalone/],
    [['watch', WF, '--task', '--workflow'], /option '--task' cannot be used with option '--workflow'/],
    [['keys', 'create', '--name', 'ci'], /required option '--scope <scopes>' not specified/],
  ])('%j → exit 2 naming the flag or argument', async (argv, message) => {
    expect(await h.run(...argv)).toBe(2);
    expect(h.err()).toMatch(message);
    expect(h.requests).toHaveLength(0);
  });

  it('--help and --version exit 0 on stdout; a command group without a subcommand is a usage error', async () => {
    expect(await h.run('--help')).toBe(0);
    expect(h.out()).toContain('Exit codes: 0 success; 1 the task or workflow failed');
    expect(await h.run('submit', '--help')).toBe(0);
    expect(h.out()).toContain('--wait-timeout <duration>');
    expect(await h.run('--version')).toBe(0);
    expect(h.out()).toBe('9.9.9\n');
    expect(await h.run('keys')).toBe(2);
  });

  it('a malformed --url or key names where it came from', async () => {
    expect(await h.run('--url', 'localhost:3000', 'ls')).toBe(2);
    expect(h.err()).toMatch(/error: --url: must start with http:\/\/ or https:\/\//);
    const env = cliHarness(() => undefined, { env: { KAIROS_KEY: 'secret-token' } });
    expect(await env.run('ls')).toBe(2);
    expect(env.err()).toMatch(/error: KAIROS_KEY: not a Kairos API key/);
    expect(env.err()).not.toContain('secret-token');
  });
});

describe('kairos submit', () => {
  it('builds a quick shell task from the words after --, with the flags', async () => {
    const task = makeTaskView();
    const h = cliHarness((req) => (req.method === 'POST' && req.path === '/api/tasks' ? jsonReply(201, task) : undefined));
    expect(await h.run('submit', '--queue', 'batch', '--env', 'A=1', '--env', 'B=x=y', '--max-attempts', '2', '--task-timeout', '90s', '--', 'sh', '-c', 'echo hi')).toBe(0);
    expect(h.requests[0].body).toEqual({ run: { kind: 'shell', command: ['sh', '-c', 'echo hi'], env: { A: '1', B: 'x=y' } }, queue: 'batch', maxAttempts: 2, timeoutMs: 90_000 });
    expect(h.out()).toBe(`${task.id}\n`);
    expect(h.err()).toContain(`follow it with: kairos watch ${task.id}`);
  });

  it('--shell joins the words into one shell command line; --dry-run sends nothing', async () => {
    const h = cliHarness(() => undefined);
    expect(await h.run('submit', '--dry-run', '--shell', '--', 'echo', 'a', '|', 'wc')).toBe(0);
    expect(JSON.parse(h.out())).toEqual({ kind: 'task', request: { run: { kind: 'shell', command: ['echo a | wc'], shell: true } } });
    expect(h.requests).toHaveLength(0);
  });

  it('refuses quick-task flags with -f, and an empty submit, as usage errors', async () => {
    const h = cliHarness(() => undefined, { files: { 'wf.yaml': WF_YAML } });
    expect(await h.run('submit', '-f', 'wf.yaml', '--queue', 'x')).toBe(2);
    expect(h.err()).toContain('error: --queue applies to a quick task only; put it in wf.yaml');
    expect(await h.run('submit')).toBe(2);
    expect(h.err()).toContain('nothing to submit');
    expect(await h.run('submit', '-f', 'missing.yaml')).toBe(2);
    expect(h.err()).toContain('error: -f missing.yaml: cannot read it (ENOENT)');
  });

  it('a YAML error names file, line and column, and nothing is sent', async () => {
    const h = cliHarness(() => undefined, { files: { 'wf.yaml': 'name: demo\ntasks:\n  - key: a\n    run: { kind: noop\n' } });
    expect(await h.run('submit', '-f', 'wf.yaml')).toBe(2);
    expect(h.err()).toMatch(/^error: wf\.yaml:\d+:\d+: invalid YAML: /);
    expect(h.requests).toHaveLength(0);
  });

  it('a schema error names the field before sending; the server’s 400 message is still shown', async () => {
    const bad = cliHarness(() => undefined, { files: { 't.yaml': 'run:\n  kind: shell\n  command: []\n' } });
    expect(await bad.run('submit', '-f', 't.yaml')).toBe(2);
    expect(bad.err()).toContain('error: t.yaml:3:12: run.command: command must name a program');
    const server = cliHarness(() => jsonReply(400, { error: 'VALIDATION_FAILED', message: 'invalid workflow: tasks[1].dependsOn[0]: unknown task key "x"', details: {} }), {
      files: { 'wf.yaml': WF_YAML },
    });
    expect(await server.run('submit', '-f', 'wf.yaml')).toBe(2);
    expect(server.err()).toContain('error: the server rejected the request: invalid workflow: tasks[1].dependsOn[0]: unknown task key "x" (HTTP 400 VALIDATION_FAILED)');
  });

  it('--watch on a workflow that succeeds: plain progress lines, a summary, exit 0', async () => {
    const h = cliHarness(
      workflowApi([
        makeWorkflowView(WF, { a: 'running', b: 'pending' }),
        makeWorkflowView(WF, { a: 'succeeded', b: 'running' }),
        makeWorkflowView(WF, { a: 'succeeded', b: 'succeeded' }),
      ]),
      { files: { 'wf.yaml': WF_YAML } },
    );
    expect(await h.run('submit', '-f', 'wf.yaml', '--watch')).toBe(0);
    expect(h.err()).toContain('workflow demo: 0/2 done, 0 failed, 1 running, 1 waiting, ETA unknown, elapsed <1s');
    expect(h.err()).toContain('workflow demo: 1/2 done, 0 failed, 1 running, ETA 1s, elapsed 1s');
    expect(h.err()).toContain('workflow demo: succeeded, 2/2 done, 0 failed, 0 running, elapsed 2s');
    expect(h.out()).toBe(`workflow demo (${WF}) succeeded: 2/2 tasks in 4s\n`);
  });

  it('--watch on a workflow that fails: exit 1 naming the failed task and how to see its logs', async () => {
    const h = cliHarness(workflowApi([makeWorkflowView(WF, { a: 'running', b: 'pending', c: 'pending' }), makeWorkflowView(WF, { a: 'failed', b: 'upstream_failed', c: 'upstream_failed' })]), {
      files: { 'wf.yaml': WF_YAML },
    });
    expect(await h.run('submit', '-f', 'wf.yaml', '--watch')).toBe(1);
    expect(h.err()).toContain('workflow demo: failed, 0/3 done, 1 failed, 2 not run, 0 running');
    expect(h.err()).toContain(`error: workflow demo (${WF}) failed: 0/3 succeeded, 1 failed, 2 not run (upstream failed)`);
    expect(h.err()).toMatch(/ {2}a: failed \(exit code 3\) — kairos logs 11111111-1111-4111-8111-000000000000/);
    expect(h.err()).toContain(`rerun the failed part with: kairos rerun ${WF} --watch`);
  });

  it('--watch --json prints the final view on stdout, progress stays on stderr', async () => {
    const h = cliHarness(workflowApi([makeWorkflowView(WF, { a: 'succeeded', b: 'succeeded' })]), { files: { 'wf.yaml': WF_YAML } });
    expect(await h.run('--json', 'submit', '-f', 'wf.yaml', '--watch')).toBe(0);
    expect(JSON.parse(h.out())).toMatchObject({ id: WF, status: 'succeeded' });
  });

  it('--wait-timeout gives up with exit 5 while the run goes on', async () => {
    const h = cliHarness(workflowApi([makeWorkflowView(WF, { a: 'running', b: 'pending' })]), { files: { 'wf.yaml': WF_YAML } });
    expect(await h.run('submit', '-f', 'wf.yaml', '--watch', '--interval', '1s', '--wait-timeout', '5s')).toBe(5);
    expect(h.err()).toContain('error: gave up waiting after 5s; the workflow is still running');
    expect(h.err()).toContain(`follow it again with: kairos watch ${WF}`);
  });
});

describe('kairos watch, logs, ls, cancel', () => {
  it('watch tells a task from a workflow by asking, and a failed task exits 1 with its last output', async () => {
    const t = makeTaskView({ status: 'failed', attempts: 2, maxAttempts: 2, exitCode: 3, error: 'exit code 3', outputTail: 'one\ntwo\n', startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:00:01.000Z' });
    const h = cliHarness((req) => (req.path === `/api/tasks/${t.id}` ? jsonReply(200, { ...t, attemptsDetail: [], events: [] }) : undefined));
    expect(await h.run('watch', t.id)).toBe(1);
    expect(h.err()).toContain(`error: task ${t.id} failed: exit code 3 after 2 attempts\nlast output:\n  | one\n  | two\n`);
    const w = cliHarness(workflowApi([makeWorkflowView(WF, { a: 'succeeded' })]));
    expect(await w.run('watch', WF)).toBe(0);
    expect(w.requests.map((r) => r.path)).toEqual([`/api/tasks/${WF}`, `/api/workflows/${WF}`, `/api/workflows/${WF}`]);
    const none = cliHarness(() => undefined);
    expect(await none.run('watch', WF)).toBe(4);
    expect(none.err()).toContain(`error: no task or workflow with id ${WF}`);
  });

  it('logs prints the output tail; --follow waits for the end', async () => {
    const id = makeTaskView().id;
    const views = [makeTaskView({ id, status: 'running', attempts: 1, nodeId: 'n1' }), makeTaskView({ id, status: 'succeeded', attempts: 1, exitCode: 0, outputTail: 'hello\n' })];
    let i = 0;
    const h = cliHarness((req) => (req.path === `/api/tasks/${id}` ? jsonReply(200, views[Math.min(i++, 1)]) : undefined));
    expect(await h.run('logs', id, '--follow')).toBe(0);
    expect(h.out()).toBe('hello\n');
    expect(h.err()).toContain(`task ${id} running on n1 (attempt 1/1)`);
  });

  it('ls --json prints { items, nextCursor } whether the server pages or not; --status is checked', async () => {
    const t = makeTaskView();
    const h = cliHarness((req) => (req.path === '/api/tasks' ? jsonReply(200, [t]) : req.path === '/api/workflows' ? jsonReply(200, { items: [], nextCursor: 'c1' }) : undefined));
    expect(await h.run('ls', '--json', '--limit', '5')).toBe(0);
    expect(JSON.parse(h.out())).toEqual({ items: [t], nextCursor: null });
    expect(h.requests[0].query.get('limit')).toBe('5');
    expect(await h.run('--json', 'ls', 'workflows')).toBe(0);
    expect(JSON.parse(h.out())).toEqual({ items: [], nextCursor: 'c1' });
    expect(await h.run('ls', '--status', 'done')).toBe(2);
    expect(h.err()).toContain('error: --status: must be one of queued, running, succeeded');
  });

  it('cancel of a finished task: the server’s 409 message, exit 4', async () => {
    const t = makeTaskView({ status: 'succeeded' });
    const h = cliHarness((req) => {
      if (req.path === `/api/tasks/${t.id}`) return jsonReply(200, { ...t, attemptsDetail: [], events: [] });
      if (req.path === `/api/tasks/${t.id}/cancel`) return jsonReply(409, { error: 'TASK_ALREADY_FINISHED', message: `task ${t.id} already ended as succeeded`, details: {} });
      return undefined;
    });
    expect(await h.run('cancel', t.id)).toBe(4);
    expect(h.err()).toContain(`error: task ${t.id} already ended as succeeded (HTTP 409 TASK_ALREADY_FINISHED)`);
  });
});

describe('kairos: connection and keys', () => {
  it('an unreachable server is exit 3 with what to do', async () => {
    const h = cliHarness(() => undefined, { unreachable: true });
    expect(await h.run('--url', 'http://10.0.0.9:4000', 'ls')).toBe(3);
    expect(h.err()).toContain('error: cannot reach http://10.0.0.9:4000 (ECONNREFUSED)\nis Kairos running at http://10.0.0.9:4000?');
  });

  it('sends the key from KAIROS_KEY; a refused key is exit 3 with a hint, the key never printed', async () => {
    const h = cliHarness(() => jsonReply(401, { error: 'KEY_UNKNOWN', message: 'unknown API key', details: {} }), { env: { KAIROS_KEY: KEY } });
    expect(await h.run('ls')).toBe(3);
    expect(h.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(h.err()).toContain('error: unknown API key (HTTP 401 KEY_UNKNOWN)\nthis server needs an API key: run `kairos login --key-stdin`');
    expect(h.err()).not.toContain(KEY);
  });

  it('flag beats environment beats the saved login', async () => {
    const h = cliHarness(() => jsonReply(200, []), { env: { KAIROS_URL: 'http://env:1' }, saved: { url: 'http://saved:2', key: KEY } });
    await h.run('ls');
    await h.run('--url', 'http://flag:3', 'ls');
    expect(h.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${KEY}`, `Bearer ${KEY}`]);
    const hosts = cliHarness(() => jsonReply(200, []), { saved: { url: 'http://saved:2' } });
    await hosts.run('ls');
    expect(hosts.requests[0].headers.authorization).toBeUndefined();
  });

  it('login --key-stdin checks the key with the server, then saves URL and key', async () => {
    const h = cliHarness((req) => (req.path === '/api/tasks' ? jsonReply(200, []) : undefined), { stdin: `${KEY}\n` });
    expect(await h.run('--url', 'http://k:3000', 'login', '--key-stdin')).toBe(0);
    expect(h.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(h.saved()).toMatchObject({ url: 'http://k:3000', key: KEY });
    expect(h.out()).toContain('logged in to http://k:3000 with key kairos_0123456789abcdef_…');
    expect(h.out()).not.toContain(KEY);
    expect(await h.run('logout')).toBe(0);
    expect(h.saved()).toBeNull();
  });

  it('login refuses a malformed key (exit 2) and a key the server refuses (exit 3), saving nothing', async () => {
    const bad = cliHarness(() => undefined, { stdin: 'not-a-key\n' });
    expect(await bad.run('login', '--key-stdin')).toBe(2);
    expect(bad.err()).toContain('error: standard input: not a Kairos API key');
    const refused = cliHarness(() => jsonReply(401, { error: 'KEY_REVOKED', message: 'key revoked', details: {} }), { stdin: KEY });
    expect(await refused.run('login', '--key-stdin')).toBe(3);
    expect(refused.err()).toContain('refused the key: key revoked');
    expect(bad.saved()).toBeNull();
    expect(refused.saved()).toBeNull();
  });

  it('keys on a server without key management: a clear message, exit 4', async () => {
    const h = cliHarness(() => undefined);
    expect(await h.run('keys', 'ls')).toBe(4);
    expect(h.err()).toContain('error: this server has no key management');
    expect(await h.run('keys', 'create', '--name', 'ci', '--scope', 'read,launch')).toBe(2);
    expect(h.err()).toContain('error: --scope: unknown scope "launch"');
  });

  it('keys create prints the secret once on stdout', async () => {
    const h = cliHarness((req) => (req.method === 'POST' && req.path === '/api/keys' ? jsonReply(201, { id: '0123456789abcdef', name: 'ci', scopes: ['read', 'submit'], key: KEY }) : undefined));
    expect(await h.run('keys', 'create', '--name', 'ci', '--scope', 'read', '--scope', 'submit')).toBe(0);
    expect(h.requests[0].body).toEqual({ name: 'ci', scopes: ['read', 'submit'] });
    expect(h.out()).toBe(`${KEY}\n`);
    expect(await h.run('keys', 'create', '--name', 'ci', '--scope', 'submit', '--tenant', 'team-a')).toBe(0);
    expect(h.requests[1].body).toEqual({ name: 'ci', scopes: ['submit'], tenant: 'team-a' });
    expect(await h.run('keys', 'create', '--name', 'ci', '--scope', 'submit', '--tenant', 'Team_A')).toBe(2);
    expect(h.err()).toContain('--tenant');
    expect(h.requests).toHaveLength(2);
  });
});

describe('kairos policy, serve, topics', () => {
  it('policy set sends only the given fields, maxConcurrent included', async () => {
    const h = cliHarness((req) => (req.method === 'PUT' ? jsonReply(202, { queue: 'batch', ...(req.body as object), status: 'requested' }) : undefined));
    expect(await h.run('policy', 'set', 'batch', '--policy', 'fifo', '--max-concurrent', '4')).toBe(0);
    expect(h.out()).toBe('queue batch: policy fifo, max concurrent 4\n');
    expect(await h.run('policy', 'set', 'batch', '--max-concurrent', 'none')).toBe(0);
    expect(h.out()).toBe('queue batch: max concurrent unlimited\n');
    expect(h.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['PUT', '/api/queues/batch/policy', { policy: 'fifo', maxConcurrent: 4 }],
      ['PUT', '/api/queues/batch/policy', { maxConcurrent: null }],
    ]);
    expect(await h.run('policy', 'set', 'batch')).toBe(2);
    expect(await h.run('policy', 'set', 'batch', '--max-concurrent', '-1')).toBe(2);
  });

  it('models deploy goes through the gate; --force sends the reason', async () => {
    const version = { name: 'duration', version: 2, stage: 'production', createdAt: '2026-11-30T00:00:00.000Z', metrics: {} };
    const h = cliHarness((req) => (req.method === 'POST' ? jsonReply(200, version) : undefined));
    expect(await h.run('models', 'deploy', 'duration', '2')).toBe(0);
    expect(await h.run('models', 'deploy', 'duration', '2', '--force', 'hot fix')).toBe(0);
    expect(h.requests.map((r) => [r.path, r.body])).toEqual([
      ['/api/models/duration/versions/2/deploy', {}],
      ['/api/models/duration/versions/2/deploy', { force: { reason: 'hot fix' } }],
    ]);
  });

  it('serve passes PORT, HOST, DATA_DIR and --env to the service it starts', async () => {
    const h = cliHarness(() => undefined);
    expect(await h.run('serve', 'executor', '--port', '3003', '--host', '0.0.0.0', '--data-dir', '/d', '--env', 'EXECUTOR_ID=exec-1')).toBe(0);
    expect(h.served).toEqual([{ service: 'executor', entry: '/repo/apps/executor/src/main.ts', env: { EXECUTOR_ID: 'exec-1', PORT: '3003', HOST: '0.0.0.0', DATA_DIR: '/d' } }]);
    expect(await h.run('serve', 'gateway', '--port', '70000')).toBe(2);
  });

  it('topics create without brokers names KAFKA_BROKERS; a malformed list is refused before connecting', async () => {
    const h = cliHarness(() => undefined);
    expect(await h.run('topics', 'create')).toBe(2);
    expect(h.err()).toContain('error: no Kafka brokers: set KAFKA_BROKERS=host:port[,host:port…] or pass --brokers host:port[,…]');
    const bad = cliHarness(() => undefined, { env: { KAFKA_BROKERS: 'kafka1' } });
    expect(await bad.run('topics', 'create')).toBe(2);
    expect(bad.err()).toContain('error: KAFKA_BROKERS="kafka1": must be host:port[,host:port…]');
    expect(await bad.run('topics', 'create', '--replication-factor', '0', '--brokers', 'k:9092')).toBe(2);
    expect(h.adminConfigs).toHaveLength(0);
    expect(bad.adminConfigs).toHaveLength(0);
  });

  it('topics create creates only the missing topics, with the partitions and replication asked for', async () => {
    const h = cliHarness(() => undefined, { env: { KAFKA_BROKERS: 'k1:9092,k2:9092' }, topicAdmin: { describe: async () => new Map([['task.queued.v1', 6], ['task.started.v1', 3]]) } });
    expect(await h.run('--json', 'topics', 'create', '--replication-factor', '3')).toBe(0);
    expect(h.adminConfigs[0]).toMatchObject({ brokers: ['k1:9092', 'k2:9092'], clientId: 'kairos' });
    const created = h.created[0].map((t) => t.topic);
    expect(created).not.toContain('task.queued.v1');
    expect(created).toContain('kairos.deadletter.v1');
    expect(h.created[0].every((t) => t.partitions === 6 && t.replicationFactor === 3)).toBe(true);
    const rows = JSON.parse(h.out()) as Array<{ topic: string; action: string; note?: string }>;
    expect(rows.find((r) => r.topic === 'task.started.v1')).toMatchObject({ action: 'exists', note: expect.stringContaining('fewer than 6 partitions') });
    expect(rows.filter((r) => r.action === 'created')).toHaveLength(rows.length - 2);
  });

  it('topics create: brokers that cannot be reached are exit 3 naming them', async () => {
    const h = cliHarness(() => undefined, {
      topicAdmin: {
        describe: async () => {
          throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9');
        },
      },
    });
    expect(await h.run('topics', 'create', '--brokers', '127.0.0.1:9')).toBe(3);
    expect(h.err()).toContain('error: Kafka at 127.0.0.1:9: Connection error: connect ECONNREFUSED 127.0.0.1:9');
  });

  it('bench is mounted only when it is the command', async () => {
    const h = cliHarness(() => undefined);
    expect(await h.run('bench', 'fake')).toBe(0);
    expect(await h.run('bench', 'nope')).toBe(2);
  });
});
