import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { authHeaders, createTestDatabase, startService, type ServiceProcess } from '@kairos/testing';

// Task secrets are write-only, end to end on the standalone platform and a real PostgreSQL: the task
// gets them (the shell task checks its variable, the HTTP endpoint sees the header), while no API
// answer, stored row, outbox event or log line carries them.
const SHELL_SECRET = 'sh-secret-value-7f3a9c';
const AUTO_SECRET = 'auto-token-value-41d2e8';
const HEADER_SECRET = 'Bearer hdr-secret-value-93b1';
const ALL = [SHELL_SECRET, AUTO_SECRET, HEADER_SECRET, 'hdr-secret-value-93b1'];
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
/** The task proves it got a variable's value without the value appearing anywhere in its spec. */
const check = (name: string, value: string) => `test "$(printf %s "$${name}" | sha256sum | cut -c1-64)" = "${sha(value)}"`;

describe('task secrets on the standalone platform', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let logDir: string;
  let svc: ServiceProcess;
  let hook: Server;
  let hookPort = 0;
  const received: string[] = [];

  const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const r = await fetch(`http://127.0.0.1:${svc.port}${path}`, { method: init.method ?? 'GET', headers: authHeaders(), body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    return { status: r.status, text: await r.text() };
  };
  const waitDone = async (id: string): Promise<Record<string, unknown>> => {
    for (let i = 0; i < 240; i++) {
      const t = JSON.parse((await api(`/api/tasks/${id}`)).text) as Record<string, unknown>;
      if (['succeeded', 'failed', 'timed_out', 'cancelled'].includes(String(t.status))) return t;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`task ${id} did not finish`);
  };

  beforeAll(async () => {
    hook = createServer((req, res) => {
      received.push(String(req.headers.authorization ?? ''));
      res.end('ok');
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    hookPort = (hook.address() as { port: number }).port;
    tdb = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'kairos-secrets-'));
    // The service's whole output goes to logDir/secrets-standalone.log (startService's log option).
    logDir = mkdtempSync(join(tmpdir(), 'kairos-secrets-log-'));
    const before = process.env.KAIROS_E2E_LOG_DIR;
    process.env.KAIROS_E2E_LOG_DIR = logDir;
    svc = await startService('standalone', { DATABASE_URL: tdb.url, DATA_DIR: dataDir, LOG_LEVEL: 'debug' }, 'secrets-standalone');
    if (before === undefined) delete process.env.KAIROS_E2E_LOG_DIR;
    else process.env.KAIROS_E2E_LOG_DIR = before;
    await svc.waitHealthy(120_000);
  }, 180_000);
  afterAll(async () => {
    await svc?.kill();
    await tdb?.drop();
    hook?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('runs with the secrets, and never shows or stores them in plaintext', async () => {
    const shell = await api('/api/tasks', {
      method: 'POST',
      body: {
        name: 'uses-secrets',
        run: {
          kind: 'shell',
          command: ['sh', '-c', `${check('DEPLOY_PEM', SHELL_SECRET)} && ${check('API_TOKEN', AUTO_SECRET)} && echo "got $API_TOKEN"`],
          env: { API_TOKEN: AUTO_SECRET, STAGE: 'visible' },
          secretEnv: { DEPLOY_PEM: SHELL_SECRET },
        },
      },
    });
    expect(shell.status).toBe(201);
    const http = await api('/api/tasks', {
      method: 'POST',
      body: { name: 'calls-hook', run: { kind: 'http', url: `http://127.0.0.1:${hookPort}/hook`, method: 'POST', headers: { Authorization: HEADER_SECRET, 'X-Visible': 'yes' } } },
    });
    expect(http.status).toBe(201);

    const shellTask = await waitDone((JSON.parse(shell.text) as { id: string }).id);
    const httpTask = await waitDone((JSON.parse(http.text) as { id: string }).id);
    // The task had them: the shell test passed and the HTTP endpoint got the header.
    expect(shellTask.status).toBe('succeeded');
    expect(httpTask.status).toBe('succeeded');
    expect(received).toContain(HEADER_SECRET);
    // Its own output is scrubbed.
    expect(String(shellTask.outputTail)).toContain('got [redacted]');

    // Answers: submit, get, list. Names stay, values are [redacted]; non-secret values are shown.
    const answers = [shell.text, http.text, (await api(`/api/tasks/${String(shellTask.id)}`)).text, (await api(`/api/tasks/${String(httpTask.id)}`)).text, (await api('/api/tasks?limit=50')).text];
    for (const a of answers) for (const s of ALL) expect(a).not.toContain(s);
    expect(answers[2]).toContain('DEPLOY_PEM');
    expect(answers[2]).toContain('"STAGE":"visible"');
    expect(answers[2]).toContain('[redacted]');

    // At rest and on the bus: tasks rows and outbox events hold ciphertext only.
    const c = new Client({ connectionString: tdb.url });
    await c.connect();
    try {
      const dump = JSON.stringify([(await c.query('SELECT run, output_tail, error FROM tasks')).rows, (await c.query('SELECT envelope FROM outbox')).rows]);
      for (const s of ALL) expect(dump).not.toContain(s);
      expect(dump).toMatch(/"DEPLOY_PEM":"v1:/);
      expect(dump).toMatch(/"API_TOKEN":"v1:/);
    } finally {
      await c.end();
    }

    // Idempotent resubmission of the same secret spec maps to the first task (ciphertexts differ).
    const body = { idempotencyKey: 'secret-idem', run: { kind: 'shell', command: ['true'], secretEnv: { X_PASSWORD: SHELL_SECRET } } };
    const first = await api('/api/tasks', { method: 'POST', body });
    const again = await api('/api/tasks', { method: 'POST', body });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect((JSON.parse(again.text) as { id: string }).id).toBe((JSON.parse(first.text) as { id: string }).id);
    const changed = await api('/api/tasks', { method: 'POST', body: { ...body, run: { ...body.run, secretEnv: { X_PASSWORD: 'another-value-000' } } } });
    expect(changed.status).toBe(409);

    // Logs (debug level): no secret in any line.
    const log = readFileSync(join(logDir, 'secrets-standalone.log'), 'utf8');
    expect(log.length).toBeGreaterThan(0);
    for (const s of ALL) expect(log).not.toContain(s);
  }, 120_000);
});
