import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { DEFAULT_TASK_ENV_ALLOW } from '@kairos/platform';
import { authHeaders, createTestDatabase, freePort, startService, TEST_ADMIN_KEY, type ServiceProcess } from '@kairos/testing';

/**
 * The security checks against a real standalone process (PostgreSQL, so DATABASE_URL is in
 * the server's environment): authentication and scopes, browser attacks (cross-origin form post,
 * foreign Host), task isolation from the server's environment, and secrets kept out of every API
 * answer and every log line.
 */
jest.setTimeout(120_000);

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('security end to end', () => {
  let db: { url: string; drop(): Promise<void> };
  let svc: ServiceProcess;
  let logDir: string;
  let hook: Server;
  let hookPort: number;
  const hookHeaders: IncomingHttpHeaders[] = [];
  // A variable only the server has: no task may see it.
  const SERVER_SECRET = `server-only-${randomBytes(12).toString('hex')}`;
  const serverEnv: Record<string, string> = {};
  const base = () => `http://127.0.0.1:${svc.port}`;

  /** A raw HTTP request (fetch cannot send a foreign Host header). */
  const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: svc.port, method, path, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  const api = async <T>(path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<{ status: number; body: T; text: string }> => {
    const r = await fetch(`${base()}${path}`, { method: init.method ?? 'GET', headers: authHeaders(init.key), body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as T, text };
  };
  /** The first message of a `taskEvents` subscription opened with these upgrade headers (and no connection parameters). */
  const subscribeOnce = (headers: Record<string, string>, taskId: string) =>
    new Promise<{ data?: Record<string, unknown> | null; errors?: unknown }>((resolve, reject) => {
      class HeaderSocket extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers });
        }
      }
      const client = createClient({ url: `ws://127.0.0.1:${svc.port}/graphql`, webSocketImpl: HeaderSocket, retryAttempts: 0 });
      const timer = setTimeout(() => reject(new Error('no subscription message within 10 s')), 10_000);
      const done = (m: { data?: Record<string, unknown> | null; errors?: unknown }) => {
        clearTimeout(timer);
        void client.dispose();
        resolve(m);
      };
      client.subscribe({ query: 'subscription($id: ID!) { taskEvents(taskId: $id) }', variables: { id: taskId } }, { next: (m) => done(m as never), error: (e) => done({ errors: [e] }), complete: () => undefined });
    });
  /** Lists answer a bare array or (after helper secc's lean lists) `{ items, nextCursor }`. */
  const itemsOf = <T>(body: T[] | { items: T[] }): T[] => (Array.isArray(body) ? body : body.items);
  const taskCount = async () => itemsOf((await api<unknown[] | { items: unknown[] }>('/api/tasks?limit=1000')).body).length;
  async function finished(id: string): Promise<{ status: string; outputTail: string | null; error?: string | null }> {
    const until = Date.now() + 60_000;
    for (;;) {
      const t = (await api<{ status: string; outputTail: string | null; error?: string | null }>(`/api/tasks/${id}`)).body;
      if (['succeeded', 'failed', 'cancelled', 'dead'].includes(t.status)) return t;
      if (Date.now() > until) throw new Error(`task ${id} still ${t.status}\n${svc.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    logDir = mkdtempSync(join(tmpdir(), 'kairos-security-logs-'));
    hookPort = await freePort();
    hook = createServer((req, res) => {
      hookHeaders.push(req.headers);
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('hook ok');
    });
    await new Promise<void>((r) => hook.listen(hookPort, '127.0.0.1', r));
    Object.assign(serverEnv, {
      DATABASE_URL: db.url,
      DATA_DIR: join(logDir, 'data'),
      EXECUTOR_NODES: 'sec-node:4000:8192',
      LOG_LEVEL: 'debug',
      KAIROS_E2E_SERVER_SECRET: SERVER_SECRET,
      // Low enough to see a 429 with one key, high enough for everything else this file sends.
      RATE_LIMIT_PER_SEC: '5',
      RATE_LIMIT_BURST: '400',
    });
    // startService keeps each service's whole output in KAIROS_E2E_LOG_DIR/<name>.log: the logs grepped below.
    const prior = process.env.KAIROS_E2E_LOG_DIR;
    process.env.KAIROS_E2E_LOG_DIR = logDir;
    try {
      svc = await startService('standalone', serverEnv, 'security-standalone');
    } finally {
      if (prior === undefined) delete process.env.KAIROS_E2E_LOG_DIR;
      else process.env.KAIROS_E2E_LOG_DIR = prior;
    }
    await svc.waitHealthy(90_000);
  });

  afterAll(async () => {
    await svc?.kill();
    await new Promise((r) => hook?.close(r));
    await db?.drop();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('no key → 401 on every kind of route; /health needs none', async () => {
    for (const [method, path] of [
      ['GET', '/api/tasks'],
      ['POST', '/api/tasks'],
      ['GET', '/api/keys'],
      ['GET', '/api/diagnosis/rules'],
      ['GET', '/api/executor/status'],
      ['GET', '/api/metrics/nodes/sec-node/rollups'],
    ]) {
      const r = await raw(method, path, method === 'POST' ? { 'content-type': 'application/json' } : {}, method === 'POST' ? '{"run":{"kind":"noop"}}' : undefined);
      expect({ method, path, status: r.status, error: (JSON.parse(r.body) as { error: string }).error }).toEqual({ method, path, status: 401, error: 'KEY_MISSING' });
    }
    expect((await raw('GET', '/health')).status).toBe(200);
    // GraphQL (gateway and standalone) goes through the same guard: no key, no data.
    const gql = await raw('POST', '/graphql', { 'content-type': 'application/json' }, JSON.stringify({ query: '{ tasksList { id } }' }));
    expect(gql.body).toContain('KEY_MISSING');
    expect(gql.body).not.toContain('"tasksList":[');
    const gqlOk = await raw('POST', '/graphql', { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` }, JSON.stringify({ query: '{ tasksList { id } }' }));
    expect(gqlOk.body).toContain('"tasksList":[');
    const wrong = await api('/api/tasks', { key: `kairos_${'0'.repeat(16)}_${'A'.repeat(43)}` });
    expect(wrong.status).toBe(401);
  });

  it('a read key may read but not submit (403); keys are shown once, listed without secrets, revocable', async () => {
    const created = await api<{ key: string; id: string; scopes: string[] }>('/api/keys', { method: 'POST', body: { name: 'reader', scopes: ['read'] } });
    expect(created.status).toBe(201);
    const reader = created.body.key;
    expect((await api('/api/tasks', { key: reader })).status).toBe(200);
    const before = await taskCount();
    const submit = await api<{ error: string; message: string }>('/api/tasks', { method: 'POST', body: { run: { kind: 'noop' } }, key: reader });
    expect(submit.status).toBe(403);
    expect(submit.body.error).toBe('SCOPE_INSUFFICIENT');
    expect(submit.text).not.toContain(reader);
    expect(await taskCount()).toBe(before);
    expect((await api('/api/keys', { key: reader })).status).toBe(403);
    const listed = await api<Array<{ id: string }> | { items: Array<{ id: string }> }>('/api/keys');
    expect(itemsOf(listed.body).map((k) => k.id)).toEqual(expect.arrayContaining([created.body.id, TEST_ADMIN_KEY.split('_')[1]]));
    expect(listed.text).not.toContain(reader.slice(24));
    expect(listed.text).not.toContain('digest');
    expect((await api(`/api/keys/${created.body.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api<{ error: string }>('/api/tasks', { key: reader })).body.error).toBe('KEY_REVOKED');
    // The last admin key cannot be revoked (that would lock everyone out).
    expect((await api<{ error: string }>(`/api/keys/${TEST_ADMIN_KEY.split('_')[1]}`, { method: 'DELETE' })).body.error).toBe('LAST_ADMIN_KEY');
  });

  it('the dashboard session cookie: HttpOnly, SameSite=Strict; a cross-origin form post with it is refused and creates nothing', async () => {
    const login = await raw('POST', '/api/session', { 'content-type': 'application/json', origin: base() }, JSON.stringify({ key: TEST_ADMIN_KEY }));
    expect(login.status).toBe(204);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^kairos_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = setCookie.split(';')[0];
    expect((await raw('GET', '/api/session', { cookie })).body).toContain(TEST_ADMIN_KEY.split('_')[1]);
    const before = await taskCount();
    const evil = `http://127.0.0.1:${svc.port + 1}`;
    const form = 'run=%7B%22kind%22%3A%22shell%22%2C%22command%22%3A%5B%22touch%22%2C%22%2Ftmp%2Fpwned%22%5D%7D';
    // What a page on another local port gets when it auto-submits a form at the API.
    const cross = await raw('POST', '/api/tasks', { cookie, origin: evil, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-site' }, form);
    expect(cross.status).toBe(403);
    expect(JSON.parse(cross.body)).toMatchObject({ error: 'ORIGIN_NOT_ALLOWED' });
    // Without an Origin (older browsers, some redirects): Sec-Fetch-Site, then the body type, then the cookie's Origin rule.
    expect((await raw('POST', '/api/tasks', { cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' }, form)).status).toBe(403);
    expect((await raw('POST', '/api/tasks', { cookie, 'content-type': 'text/plain' }, '{"run":{"kind":"noop"}}')).status).toBe(415);
    const noOrigin = await raw('POST', '/api/tasks', { cookie, 'content-type': 'application/json' }, '{"run":{"kind":"noop"}}');
    expect(noOrigin.status).toBe(403);
    expect(JSON.parse(noOrigin.body)).toMatchObject({ error: 'SESSION_ORIGIN_REQUIRED' });
    expect(await taskCount()).toBe(before);
    // The dashboard itself (same origin) may submit with the cookie.
    const own = await raw('POST', '/api/tasks', { cookie, origin: base(), 'content-type': 'application/json' }, '{"run":{"kind":"noop"}}');
    expect(own.status).toBe(201);
    // GraphQL subscriptions (the dashboard's push) may ride on the cookie of the WebSocket upgrade, only
    // from this server's Origin: a page elsewhere cannot open the socket with the user's cookie.
    const id = (JSON.parse(own.body) as { id: string }).id;
    const same = await subscribeOnce({ cookie, origin: base() }, id);
    expect(same.errors).toBeUndefined();
    expect(same.data).toHaveProperty('taskEvents');
    const foreign = await subscribeOnce({ cookie, origin: evil }, id);
    expect(foreign.data ?? null).toBeNull();
    expect(JSON.stringify(foreign.errors)).toContain('SESSION_ORIGIN_REQUIRED');
    const noOriginSocket = await subscribeOnce({ cookie }, id);
    expect(JSON.stringify(noOriginSocket.errors)).toContain('SESSION_ORIGIN_REQUIRED');
    const logout = await raw('DELETE', '/api/session', { cookie, origin: base() });
    expect(logout.status).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/^kairos_session=; .*Max-Age=0/);
  });

  it('a foreign Host header (DNS rebinding) is refused with 421, even with a valid key', async () => {
    for (const host of ['evil.test', `rebind.attacker.test:${svc.port}`, '127.0.0.2']) {
      const r = await raw('GET', '/api/tasks', { host, authorization: `Bearer ${TEST_ADMIN_KEY}` });
      expect({ host, status: r.status }).toEqual({ host, status: 421 });
    }
    expect((await raw('GET', '/api/tasks', { host: `localhost:${svc.port}`, authorization: `Bearer ${TEST_ADMIN_KEY}` })).status).toBe(200);
  });

  it('answers with helmet headers and no X-Powered-By', async () => {
    const r = await raw('GET', '/health');
    expect(r.headers['x-powered-by']).toBeUndefined();
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('a task sees none of the server environment besides the allow-list', async () => {
    const { body } = await api<{ id: string }>('/api/tasks', { method: 'POST', body: { name: 'env-dump', run: { kind: 'shell', command: ['sh', '-c', 'env; printf "secret=%s\\n" "${KAIROS_E2E_SERVER_SECRET:-absent}"'] } } });
    const t = await finished(body.id);
    expect(t.status).toBe('succeeded');
    const out = t.outputTail ?? '';
    expect(out).toContain('secret=absent');
    const seen = new Set(out.split('\n').map((l) => l.split('=')[0]));
    expect([seen.has('PATH'), seen.has('KAIROS_TASK_ID')]).toEqual([true, true]);
    // What the server had: this process's environment plus what startService and this file added.
    const server = { ...process.env, ...serverEnv, KAIROS_ADMIN_KEY: TEST_ADMIN_KEY };
    const allowed = new Set<string>([...DEFAULT_TASK_ENV_ALLOW, 'PWD', 'OLDPWD', 'SHLVL', '_']);
    const leaked = Object.keys(server).filter((name) => seen.has(name) && !allowed.has(name));
    expect(leaked).toEqual([]);
    for (const value of [SERVER_SECRET, db.url, TEST_ADMIN_KEY]) expect(out).not.toContain(value);
  });

  it('per-key rate limit: 429 with Retry-After once the burst is spent', async () => {
    const { body } = await api<{ key: string }>('/api/keys', { method: 'POST', body: { name: 'flood', scopes: ['read'] } });
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let round = 0; round < 9 && !statuses.includes(429); round++) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => raw('GET', '/api/session', { authorization: `Bearer ${body.key}` })));
      for (const r of batch) {
        statuses.push(r.status);
        if (r.status === 429) retryAfter = String(r.headers['retry-after']);
      }
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(400);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('audit records name the key id of who asked, never the key', async () => {
    const { body } = await api<{ key: string; id: string }>('/api/keys', { method: 'POST', body: { name: 'operator', scopes: ['operate'] } });
    const asked = await api<{ actionId: string }>('/api/repairs', { method: 'POST', body: { action: { kind: 'scale_request', service: 'executor', delta: 1 }, reason: 'e2e: audit actor', dryRun: true }, key: body.key });
    expect(asked.status).toBe(202);
    const until = Date.now() + 30_000;
    let audit = '';
    while (!audit.includes(asked.body.actionId) && Date.now() < until) {
      audit = (await api('/api/repairs')).text;
      if (!audit.includes(asked.body.actionId)) await new Promise((r) => setTimeout(r, 250));
    }
    expect(audit).toContain(`"requestedBy":"api:key:${body.id}"`);
    expect(audit).not.toContain(body.key);
  });

  it('refuses to listen beyond loopback with the API open (KAIROS_AUTH=off), saying why', async () => {
    const open = await startService('standalone', { HOST: '0.0.0.0', KAIROS_AUTH: 'off', DATA_DIR: join(logDir, 'refused') }, 'security-open');
    const err = await open.waitHealthy(60_000).then(
      () => null,
      (e: Error) => e.message,
    );
    await open.kill();
    expect(err).toContain('standalone failed to start: refusing to listen on HOST=0.0.0.0: it is reachable from other machines and API keys are not enforced');
  });

  describe('secrets used by a run', () => {
    const SECRET_ENV = `sekret-env-${randomBytes(9).toString('hex')}`;
    const SECRET_AUTO = `sekret-auto-${randomBytes(9).toString('hex')}`;
    const SECRET_HEADER = `sekret-hdr-${randomBytes(9).toString('hex')}`;
    const SECRET_AUTH = `sekret-bearer-${randomBytes(9).toString('hex')}`;
    const secrets = [SECRET_ENV, SECRET_AUTO, SECRET_HEADER, SECRET_AUTH];
    const ids: string[] = [];
    const responses: string[] = [];

    beforeAll(async () => {
      const shell = await api<{ id: string }>('/api/tasks', {
        method: 'POST',
        body: {
          name: 'uses-secrets',
          // Proves the task received both values (lengths), and tries to print them: the output is scrubbed.
          run: { kind: 'shell', command: ['sh', '-c', 'echo "len=${#DEPLOY_TOKEN}/${#DB_PASSWORD}"; echo "leak $DEPLOY_TOKEN $DB_PASSWORD"'], secretEnv: { DEPLOY_TOKEN: SECRET_ENV }, env: { DB_PASSWORD: SECRET_AUTO } },
        },
      });
      const http = await api<{ id: string }>('/api/tasks', {
        method: 'POST',
        body: { name: 'calls-hook', run: { kind: 'http', method: 'POST', url: `http://127.0.0.1:${hookPort}/hook`, headers: { Authorization: `Bearer ${SECRET_AUTH}` }, secretHeaders: { 'X-Signature-Key': SECRET_HEADER }, body: '{}' } },
      });
      expect([shell.status, http.status]).toEqual([201, 201]);
      responses.push(shell.text, http.text);
      ids.push(shell.body.id, http.body.id);
      const [s, h] = [await finished(shell.body.id), await finished(http.body.id)];
      expect({ shell: s.status, http: h.status, error: h.error ?? null }).toMatchObject({ shell: 'succeeded', http: 'succeeded' });
      expect(s.outputTail).toContain(`len=${SECRET_ENV.length}/${SECRET_AUTO.length}`);
      // The HTTP runner sent both secret headers.
      expect(hookHeaders.some((hd) => hd['x-signature-key'] === SECRET_HEADER && hd.authorization === `Bearer ${SECRET_AUTH}`)).toBe(true);
    });

    it('no service log line contains a secret (every log of the run, at debug level)', async () => {
      await new Promise((r) => setTimeout(r, 1_500)); // let the last events be consumed and logged
      const logs = readdirSync(logDir).filter((f) => f.endsWith('.log'));
      expect(logs).toEqual(['security-standalone.log']);
      const text = logs.map((f) => readFileSync(join(logDir, f), 'utf8')).join('\n');
      expect(text.length).toBeGreaterThan(0);
      for (const s of secrets) expect({ secret: s, inLog: text.includes(s) }).toEqual({ secret: s, inLog: false });
      for (const s of [SERVER_SECRET, TEST_ADMIN_KEY]) expect(text).not.toContain(s);
    });

    it('the task output is scrubbed of the secrets it printed', async () => {
      const t = (await api<{ outputTail: string }>(`/api/tasks/${ids[0]}`)).body;
      expect(t.outputTail).toContain('leak ');
      for (const s of secrets) expect(t.outputTail).not.toContain(s);
    });

    it('no API response contains a secret', async () => {
      for (const id of ids) responses.push((await api(`/api/tasks/${id}`)).text, (await api(`/api/metrics/tasks/${id}`)).text, (await api(`/api/predictions/${id}`)).text);
      for (const path of ['/api/tasks?limit=1000', '/api/stats', '/api/dead-letters', '/api/workflows', '/api/queues', '/api/keys', '/api/anomalies', '/api/diagnoses', '/api/executor/status', '/api/session']) {
        responses.push((await api(path)).text);
      }
      const all = responses.join('\n');
      for (const s of secrets) expect({ secret: s, inResponses: all.includes(s) }).toEqual({ secret: s, inResponses: false });
    });
  });
});
