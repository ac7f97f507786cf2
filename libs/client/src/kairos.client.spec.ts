import { KairosClient, type KairosClientOptions } from './kairos.client';
import { KairosClientError } from './client.errors';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

type Reply = Response | Error;

/** A fetch that records each call and answers from a script, one reply per call. */
function scriptedFetch(replies: Reply[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), method: init?.method ?? 'GET', headers: (init?.headers ?? {}) as Record<string, string>, body: init?.body as string | undefined });
    const r = replies.shift();
    if (!r) throw new Error('no scripted reply left');
    if (r instanceof Error) throw r;
    return r;
  }) as typeof fetch;
  return { fetch: fetchFn, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const task = (over: Record<string, unknown> = {}) => ({
  id: '6f1c1f3e-0000-4000-8000-000000000001',
  name: null,
  queue: 'default',
  priority: 50,
  status: 'queued',
  attempts: 0,
  maxAttempts: 1,
  run: { kind: 'noop' },
  resources: {},
  exitCode: null,
  outputTail: null,
  error: null,
  nodeId: null,
  predictedP50Ms: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  ...over,
});

function client(replies: Reply[], opts: Partial<KairosClientOptions> = {}) {
  const f = scriptedFetch(replies);
  const sleeps: number[] = [];
  const c = new KairosClient({
    baseUrl: 'http://kairos.test:3000/',
    fetch: f.fetch,
    sleep: async (ms) => void sleeps.push(ms),
    now: () => Date.parse('2025-01-01T00:00:00Z'),
    random: () => 0,
    ...opts,
  });
  return { c, calls: f.calls, sleeps };
}

describe('KairosClient', () => {
  it('sends the key as a bearer token and JSON bodies with their content type', async () => {
    const { c, calls } = client([json(201, task())], { apiKey: 'kairos_0123456789abcdef_secret' });
    const r = await c.submitTask({ run: { kind: 'noop' } });
    expect(r.created).toBe(true);
    expect(calls[0]).toMatchObject({ url: 'http://kairos.test:3000/api/tasks', method: 'POST', body: '{"run":{"kind":"noop"}}' });
    expect(calls[0].headers.authorization).toBe('Bearer kairos_0123456789abcdef_secret');
    expect(calls[0].headers['content-type']).toBe('application/json');
  });

  it('sends no authorization header without a key; 200 on submit means an idempotent repeat', async () => {
    const { c, calls } = client([json(200, task())]);
    expect((await c.submitTask({ run: { kind: 'noop' }, idempotencyKey: 'k' })).created).toBe(false);
    expect(calls[0].headers.authorization).toBeUndefined();
  });

  it('keeps a base path prefix and escapes path segments and query values', async () => {
    const { c, calls } = client([json(200, { queue: 'a/b', policy: 'fifo', placement: 'least-loaded' }), json(200, [])], { baseUrl: 'https://h.example/kairos/' });
    await c.setQueuePolicy('a/b', { policy: 'fifo' });
    await c.listTasks({ status: 'failed', queue: 'x&y', limit: 5 });
    expect(calls.map((x) => x.url)).toEqual(['https://h.example/kairos/api/queues/a%2Fb/policy', 'https://h.example/kairos/api/tasks?status=failed&queue=x%26y&limit=5']);
  });

  it('accepts both a bare array and { items, nextCursor } from list endpoints, and paginates', async () => {
    const { c, calls } = client([
      json(200, [task()]),
      json(200, { items: [task({ id: 'a' })], nextCursor: 'c2' }),
      json(200, { items: [task({ id: 'b' })], nextCursor: null }),
    ]);
    expect(await c.listTasks()).toEqual({ items: [expect.objectContaining({ id: task().id })], nextCursor: null });
    const ids: string[] = [];
    for await (const t of c.paginate((cursor) => c.listTasks({ limit: 1, cursor }))) ids.push(t.id);
    expect(ids).toEqual(['a', 'b']);
    expect(calls[2].url).toContain('cursor=c2');
  });

  it('turns the server error body into a typed error with status, code, message and details', async () => {
    const { c } = client([json(400, { error: 'VALIDATION_FAILED', message: 'invalid task: run.command: command must name a program', details: { issues: ['x'] } })]);
    const err = await c.submitTask({ run: { kind: 'shell', command: [] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KairosClientError);
    expect(err).toMatchObject({ code: 'API_ERROR', status: 400, serverCode: 'VALIDATION_FAILED', message: 'invalid task: run.command: command must name a program', details: { issues: ['x'] } });
  });

  it('summarises a non-JSON error body (a proxy page)', async () => {
    const { c } = client([new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })]);
    await expect(c.stats()).rejects.toMatchObject({ code: 'API_ERROR', status: 502, serverCode: undefined, message: 'HTTP 502 Bad Gateway: <html>Bad gateway</html>' });
  });

  it('retries 503 and 429 honouring Retry-After, then succeeds', async () => {
    const { c, calls, sleeps } = client([json(503, { error: 'UNAVAILABLE', message: 'x' }, { 'retry-after': '2' }), json(429, { error: 'RATE_LIMITED', message: 'slow down' }), json(200, task())]);
    await c.getTask(task().id).catch(() => undefined);
    expect(calls).toHaveLength(3);
    // 2 s from Retry-After; then back-off attempt 1 (ceiling 500 ms, random 0 → 250)
    expect(sleeps).toEqual([2000, 250]);
  });

  it('gives up when Retry-After is beyond the longest wait, and reports it', async () => {
    const { c, calls } = client([json(429, { error: 'RATE_LIMITED', message: 'slow down' }, { 'retry-after': '120' })]);
    await expect(c.stats()).rejects.toMatchObject({ status: 429, serverCode: 'RATE_LIMITED', retryAfterMs: 120_000 });
    expect(calls).toHaveLength(1);
  });

  it('does not retry other errors', async () => {
    const { c, calls } = client([json(500, { error: 'INTERNAL', message: 'internal error' })]);
    await expect(c.stats()).rejects.toMatchObject({ status: 500 });
    expect(calls).toHaveLength(1);
  });

  it('retries a refused connection for GET but not for a non-idempotent POST', async () => {
    const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const get = client([refused(), refused(), refused(), refused()]);
    await expect(get.c.stats()).rejects.toMatchObject({ code: 'UNREACHABLE', message: 'cannot reach http://kairos.test:3000 (ECONNREFUSED)' });
    expect(get.calls).toHaveLength(4);
    const post = client([refused()]);
    await expect(post.c.submitWorkflow({ name: 'w', tasks: [{ key: 'a', run: { kind: 'noop' } }] })).rejects.toMatchObject({ code: 'UNREACHABLE' });
    expect(post.calls).toHaveLength(1);
  });

  it('reports a timeout as TIMEOUT', async () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    const { c } = client([timeout], { retry: { retries: 0 }, timeoutMs: 1234 });
    await expect(c.stats()).rejects.toMatchObject({ code: 'TIMEOUT', message: 'GET http://kairos.test:3000/api/stats: no answer within 1234 ms' });
  });

  it('rejects an answer of the wrong shape as BAD_RESPONSE naming the field', async () => {
    const { c } = client([json(200, task({ status: 7 }))]);
    await expect(c.getTask('x')).rejects.toMatchObject({ code: 'BAD_RESPONSE', message: expect.stringContaining('status:') });
  });

  it('maps a missing prediction to null and a missing key route to isRouteMissing', async () => {
    const { c } = client([
      json(404, { error: 'PREDICTION_NOT_FOUND', message: 'no duration estimate' }),
      json(404, { error: 'NOT_FOUND', message: 'Cannot GET /api/predictions/t' }),
      json(404, { error: 'NOT_FOUND', message: 'Cannot GET /api/keys' }),
    ]);
    expect(await c.predictionForTask('t')).toBeNull();
    await expect(c.predictionForTask('t')).rejects.toMatchObject({ isRouteMissing: true });
    const err = (await c.listKeys().catch((e: unknown) => e)) as KairosClientError;
    expect(err.isRouteMissing).toBe(true);
    expect(new KairosClientError('API_ERROR', 'x', { method: 'DELETE', url: 'u', status: 404, serverCode: 'KEY_NOT_FOUND' }).isRouteMissing).toBe(false);
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => new KairosClient({ baseUrl: 'ftp://x' })).toThrow('baseUrl: must be http:// or https://');
    expect(() => new KairosClient({ baseUrl: 'localhost:3000' })).toThrow(/baseUrl/);
  });
});
