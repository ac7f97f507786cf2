import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { authHeaders, TEST_ADMIN_KEY } from '@kairos/testing';

/**
 * Generated malformed requests for every REST endpoint of the platform (what the fuzz suite sends).
 * A request is data (method, raw path, headers, body bytes) so a failure can be printed and replayed.
 *
 * Nothing generated runs a command an attacker would choose: shell specs keep `command: ['true']`
 * (mutations touch the other fields), HTTP specs call 127.0.0.1:9 (discard port, refused), and the
 * model-training route only gets bodies its schema refuses (a valid one would train a GBDT for seconds).
 */
export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Which generator made it (for the summary). */
  kind: string;
  /** Whether it carries the admin key (the suite checks ≥ 90 % do). */
  authenticated: boolean;
}

type Scope = 'read' | 'submit' | 'operate' | 'admin';

interface Endpoint {
  method: FuzzRequest['method'];
  /** `:name` segments are path parameters. */
  path: string;
  scope: Scope;
  /** Valid example bodies that mutations start from. */
  bodies?: unknown[];
  /** Known query parameters (their names; values are generated). */
  query?: string[];
}

const UUID = '3f1c1f8e-6d1a-4a7e-9d51-6f0c8b3a2e10';
const shell = { kind: 'shell', command: ['true'], env: { STAGE: 'fuzz' }, timeoutMs: 5_000 };
const http = { kind: 'http', url: 'http://127.0.0.1:9/hook', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 1_000 };
const noop = { kind: 'noop', sleepMs: 1 };
const task = (run: object) => ({ name: 'fuzz', queue: 'default', run, labels: { team: 'fuzz' }, resources: { cpuMillis: 100, memMb: 64 } });
const rule = {
  id: 'fuzz-rule',
  name: 'fuzz rule',
  description: 'made by the fuzz suite',
  target: 'node',
  conditions: [{ metric: 'cpuPercent', aggregate: 'avg', windowSec: 60, operator: '>', threshold: 99 }],
  action: { kind: 'cordon_node', nodeId: '{nodeId}' },
};

export const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/api/tasks', scope: 'submit', bodies: [task(noop), task(shell), task(http), { run: noop, idempotencyKey: 'fuzz-key' }] },
  { method: 'GET', path: '/api/tasks', scope: 'read', query: ['status', 'queue', 'tenant', 'limit', 'cursor'] },
  { method: 'GET', path: '/api/tasks/:id', scope: 'read' },
  { method: 'POST', path: '/api/tasks/:id/cancel', scope: 'operate' },
  { method: 'GET', path: '/api/tasks/:id/decisions', scope: 'read', query: ['kind'] },
  { method: 'GET', path: '/api/decisions', scope: 'read', query: ['nodeId', 'kind', 'from', 'to', 'limit', 'cursor'] },
  {
    method: 'POST',
    path: '/api/workflows',
    scope: 'submit',
    bodies: [{ name: 'wf', tasks: [{ key: 'a', ...task(noop) }, { key: 'b', ...task(noop), dependsOn: ['a'] }] }],
  },
  { method: 'GET', path: '/api/workflows', scope: 'read', query: ['status', 'tenant', 'limit', 'cursor'] },
  { method: 'GET', path: '/api/workflows/:id', scope: 'read' },
  { method: 'POST', path: '/api/workflows/:id/rerun', scope: 'operate', bodies: [{ force: ['a'] }, {}] },
  { method: 'POST', path: '/api/workflows/:id/cancel', scope: 'operate' },
  { method: 'GET', path: '/api/queues', scope: 'read' },
  { method: 'GET', path: '/api/tenants/:tenant/quota', scope: 'admin' },
  { method: 'PUT', path: '/api/tenants/:tenant/quota', scope: 'admin', bodies: [{ maxQueuedTasks: 1_000_000, maxRunningCpuMillis: null, weight: 1 }, {}] },
  { method: 'PUT', path: '/api/queues/:queue/policy', scope: 'operate', bodies: [{ policy: 'fifo', placement: 'least-loaded' }] },
  { method: 'POST', path: '/api/repairs', scope: 'operate', bodies: [{ action: { kind: 'throttle_queue', queue: 'fuzz', maxConcurrent: 5 }, reason: 'fuzz' }] },
  { method: 'GET', path: '/api/repairs', scope: 'read', query: ['limit', 'cursor'] },
  { method: 'GET', path: '/api/dead-letters', scope: 'read', query: ['limit', 'cursor'] },
  { method: 'GET', path: '/api/stats', scope: 'read' },
  { method: 'GET', path: '/api/metrics/tasks/:id', scope: 'read' },
  { method: 'GET', path: '/api/metrics/nodes/:id/rollups', scope: 'read' },
  { method: 'GET', path: '/api/executor/status', scope: 'read' },
  { method: 'GET', path: '/api/models', scope: 'read' },
  { method: 'POST', path: '/api/models/duration/train', scope: 'admin', bodies: [{ maxRows: 1 }] },
  { method: 'GET', path: '/api/models/:name/versions', scope: 'read' },
  { method: 'GET', path: '/api/models/:name/versions/:version/importance', scope: 'read' },
  { method: 'POST', path: '/api/models/:name/versions/:version/deploy', scope: 'admin' },
  { method: 'POST', path: '/api/models/:name/rollback', scope: 'admin' },
  { method: 'GET', path: '/api/models/:name/accuracy', scope: 'read' },
  { method: 'GET', path: '/api/models/:name/drift', scope: 'read' },
  { method: 'GET', path: '/api/predictions/:taskId', scope: 'read' },
  { method: 'GET', path: '/api/predictions/:taskId/explanation', scope: 'read' },
  { method: 'POST', path: '/api/predictions', scope: 'read', bodies: [{ queue: 'default', name: 'x', run: shell }] },
  { method: 'GET', path: '/api/patterns', scope: 'read', query: ['limit'] },
  { method: 'GET', path: '/api/diagnosis/rules', scope: 'read' },
  { method: 'GET', path: '/api/diagnosis/rules/:id', scope: 'read' },
  { method: 'POST', path: '/api/diagnosis/rules', scope: 'admin', bodies: [rule] },
  { method: 'PUT', path: '/api/diagnosis/rules/:id', scope: 'admin', bodies: [rule] },
  { method: 'DELETE', path: '/api/diagnosis/rules/:id', scope: 'admin' },
  { method: 'GET', path: '/api/anomalies', scope: 'read', query: ['windowSec'] },
  { method: 'GET', path: '/api/diagnoses', scope: 'read', query: ['limit', 'cursor'] },
  { method: 'GET', path: '/health', scope: 'read' },
  { method: 'GET', path: '/metrics', scope: 'read' },
  {
    method: 'POST',
    path: '/graphql',
    scope: 'read',
    bodies: [{ query: '{ tasksList(limit: 5) { id status } }' }, { query: 'query($id: ID!) { task(id: $id) { id } }', variables: { id: UUID } }, { query: 'mutation { cancelTask(id: "x") { id } }' }],
  },
  { method: 'GET', path: '/assets/:file', scope: 'read' },
];

const TRAIN_KEYS = new Set(['maxRows', 'validationFraction', 'trees', 'deploy']);

/** Strings that broke something once, or are likely to: NUL, lone surrogates, huge, control, SQL-ish, path tricks. */
const nasty = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '',
  ' ',
  'a'.repeat(70_000),
  'é'.repeat(40_000),
  "'; DROP TABLE tasks; --",
  '../../etc/passwd',
  '%00',
  '\r\nX-Injected: 1',
  '\u202e',
  '\ufeff',
  'null',
  '-1',
  '1e309',
  '0x10',
  UUID,
  UUID.toUpperCase(),
  `${UUID}0`,
);

const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: nasty },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_000_000 }).map((n) => 'x'.repeat(n)) },
);

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: anyString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, -1, 0, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, [], {}) },
  { weight: 1, arbitrary: fc.array(anyString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(anyString, anyString, { maxKeys: 3 }) },
);

/** Every path into a JSON value (objects and arrays), for mutations. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function isProtectedPath(p: (string | number)[]): boolean {
  // Never let a mutation pick the program a shell task runs.
  const i = p.indexOf('command');
  return i >= 0 && (p.length === i + 1 || p[i + 1] === 0);
}

function mutate(base: unknown, pick: number, op: number, value: unknown, key: string): unknown {
  const clone = JSON.parse(JSON.stringify(base)) as unknown;
  const candidates = paths(clone).filter((p) => !isProtectedPath(p));
  const path = candidates[pick % candidates.length]!;
  if (path.length === 0) return op % 2 === 0 ? value : clone;
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], clone) as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  switch (op % 4) {
    case 0:
      parent[last] = value;
      break;
    case 1:
      delete parent[last];
      break;
    case 2: {
      const target = parent[last];
      if (target !== null && typeof target === 'object' && !Array.isArray(target) && !isProtectedPath([...path, key])) (target as Record<string, unknown>)[key] = value;
      else parent[last] = value;
      break;
    }
    default:
      parent[last] = [value, value];
  }
  return clone;
}

function trainBodyRefused(body: unknown): unknown {
  // A body the training schema could accept is made invalid (maxRows below its minimum of 30).
  if (body === undefined || body === null) return { maxRows: 1 };
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).every((k) => TRAIN_KEYS.has(k))) return { ...body, maxRows: 1 };
  return body;
}

const pathParam = fc.oneof(
  { weight: 2, arbitrary: fc.uuid().map((u) => encodeURIComponent(u)) },
  { weight: 4, arbitrary: anyString.map((s) => encodeURIComponent(safeForUrl(s))) },
  { weight: 2, arbitrary: fc.constantFrom('%00', 'a%00b', '%ED%A0%80', '%ZZ', '%', '%E0%A4%A', '..%2F..%2Fetc', 'duration', 'fuzz-rule', 'default', '1', '0', '-5', '99999999999999999999', 'node-1', 'index.js') },
);

/** encodeURIComponent throws on lone surrogates; replace them by their percent-encoded CESU bytes (still invalid UTF-8). */
function safeForUrl(s: string): string {
  return s.replace(/[\ud800-\udfff]/g, (c) => (/[\ud800-\udbff]/.test(c) ? '\u0000' : '\u0001')).slice(0, 3_000);
}

const queryValue = fc.oneof(
  { weight: 3, arbitrary: anyString.map((s) => encodeURIComponent(safeForUrl(s))) },
  { weight: 2, arbitrary: fc.constantFrom('%00', '0', '1', '1000', '1001', '-1', '1e3', '0x10', '5.0', '%205', 'queued', 'QUEUED', 'running', 'default', 'eyJ4IjoxfQ', '!!!', '%E0%A4%A') },
  { weight: 1, arbitrary: fc.integer().map(String) },
);

const query = (known: string[]) =>
  fc
    .array(
      fc.tuple(
        fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(known.length ? known : ['limit'])) }, { weight: 1, arbitrary: fc.constantFrom('x', 'limit[a]', 'status[]', '__proto__', 'constructor', '%00') }),
        queryValue,
      ),
      { maxLength: 4 },
    )
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

type BodyEncoding = { kind: string; contentType?: string; encoding?: string; bytes: (json: unknown) => Buffer };

const bodyEncodings: fc.Arbitrary<BodyEncoding> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<BodyEncoding>({ kind: 'json', contentType: 'application/json', bytes: (j) => Buffer.from(JSON.stringify(j) ?? 'null') }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'json-gzip', contentType: 'application/json', encoding: 'gzip', bytes: (j) => gzipSync(Buffer.from(JSON.stringify(j) ?? 'null')) }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'bad-gzip', contentType: 'application/json', encoding: 'gzip', bytes: () => Buffer.from('not gzip at all') }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'bad-br', contentType: 'application/json', encoding: 'br', bytes: () => Buffer.from([0xff, 0xfe, 0x00, 0x01]) }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'unknown-encoding', contentType: 'application/json', encoding: 'zstd', bytes: (j) => Buffer.from(JSON.stringify(j) ?? 'null') }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'latin1', contentType: 'application/json; charset=latin1', bytes: (j) => Buffer.from(JSON.stringify(j) ?? 'null', 'latin1') }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'utf16', contentType: 'application/json; charset=utf-16', bytes: (j) => Buffer.from(JSON.stringify(j) ?? 'null', 'utf16le') }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'form', contentType: 'application/x-www-form-urlencoded', bytes: () => Buffer.from('command=touch%20/tmp/x&kind=shell') }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'text-plain', contentType: 'text/plain', bytes: (j) => Buffer.from(JSON.stringify(j) ?? 'null') }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'multipart', contentType: 'multipart/form-data; boundary=x', bytes: () => Buffer.from('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n') }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'no-content-type', bytes: (j) => Buffer.from(JSON.stringify(j) ?? 'null') }) },
  { weight: 2, arbitrary: fc.constant<BodyEncoding>({ kind: 'not-json', contentType: 'application/json', bytes: () => Buffer.from('{"a": 1,, ]') }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'invalid-utf8', contentType: 'application/json', bytes: () => Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22, 0x7d]) }) },
  { weight: 1, arbitrary: fc.constant<BodyEncoding>({ kind: 'deep-json', contentType: 'application/json', bytes: () => Buffer.from(`${'['.repeat(5_000)}${']'.repeat(5_000)}`) }) },
);

/** A body over the 1 MiB default limit (rare: each costs a megabyte of traffic). */
const OVERSIZED = Buffer.from(JSON.stringify({ name: 'big', run: { kind: 'noop' }, pad: 'x'.repeat(1_100_000) }));
const OVERSIZED_GZIP = gzipSync(OVERSIZED);

const headerNoise = fc.dictionary(
  fc.constantFrom('x-fuzz', 'accept', 'accept-encoding', 'x-forwarded-for', 'x-request-id', 'if-none-match', 'range', 'accept-language', 'traceparent'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  { maxKeys: 3 },
);

/** 95 % with the admin key (admin satisfies every scope), the rest without a key or with a wrong one. */
const auth = fc.oneof(
  { weight: 95, arbitrary: fc.constant<{ headers: Record<string, string>; authenticated: boolean }>({ headers: { authorization: authHeaders().authorization! }, authenticated: true }) },
  { weight: 2, arbitrary: fc.constant({ headers: {} as Record<string, string>, authenticated: false }) },
  { weight: 2, arbitrary: fc.constant({ headers: { authorization: 'Bearer kairos_0000000000000000_wrongwrongwrongwrongwrongwrongwrongwrongwro' }, authenticated: false }) },
  { weight: 1, arbitrary: fc.constant({ headers: { 'x-api-key': `${TEST_ADMIN_KEY}x` }, authenticated: false }) },
);

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    endpoint: fc.constantFrom(...ENDPOINTS),
    params: fc.array(pathParam, { minLength: 3, maxLength: 3 }),
    query: fc.constantFrom(...ENDPOINTS.map((e) => e.query ?? [])).chain((known) => query(known)),
    bodyShape: fc.record({ pick: fc.nat(), op: fc.nat(), value: anyJson, key: anyString, baseIndex: fc.nat(), raw: anyJson, useRaw: fc.nat(9) }),
    encoding: bodyEncodings,
    oversized: fc.nat(199),
    auth,
    noise: headerNoise,
  })
  .map(({ endpoint, params, query: q, bodyShape, encoding, oversized, auth: a, noise }) => {
    let i = 0;
    const path = endpoint.path.replace(/:[a-zA-Z]+/g, () => params[i++]!);
    const queryString = endpoint.query ? q : q.length % 3 === 0 ? q : '';
    const headers: Record<string, string> = { ...noise, ...a.headers };
    let body: Buffer | undefined;
    let kind = 'params';
    if (endpoint.method !== 'GET' && endpoint.method !== 'DELETE') {
      const bases = endpoint.bodies ?? [{}];
      const base = bases[bodyShape.baseIndex % bases.length];
      let json = bodyShape.useRaw === 0 ? bodyShape.raw : mutate(base, bodyShape.pick, bodyShape.op, bodyShape.value, bodyShape.key);
      if (endpoint.path === '/api/models/duration/train') json = trainBodyRefused(json);
      if (oversized === 0) {
        body = OVERSIZED;
        headers['content-type'] = 'application/json';
        kind = 'body:oversized';
      } else if (oversized === 1) {
        body = OVERSIZED_GZIP;
        headers['content-type'] = 'application/json';
        headers['content-encoding'] = 'gzip';
        kind = 'body:oversized-gzip';
      } else {
        body = encoding.bytes(json);
        if (encoding.contentType) headers['content-type'] = encoding.contentType;
        if (encoding.encoding) headers['content-encoding'] = encoding.encoding;
        kind = `body:${encoding.kind}`;
      }
    }
    return { method: endpoint.method, path: `${path}${queryString}`, headers, body, kind, authenticated: a.authenticated };
  });
