import { z } from 'zod';
import { INPUT_LIMITS } from './security/input-limits';
import { checkSafeText, safeRecord, safeString, safeStringArray, utf8ByteLength } from './security/safe-string';
import { sealedLength, sealedPlaintextBytes } from './security/secret-envelope';

export const TASK_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'upstream_failed',
  /** Killed by the kernel for exceeding its memory limit (its request plus TASK_MEM_HEADROOM_PCT). */
  'oom_killed',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out', 'upstream_failed', 'oom_killed'];

/**
 * How one attempt ended. `oom_killed` counts as a failure for retry purposes (retried while attempts
 * remain, like Kubernetes restarting an OOMKilled container): a peak can depend on timing or input
 * (GC, thread counts, a racing child), and the attempt budget bounds the waste when it does not.
 * `lost` means the executor running it disappeared (not charged to the budget).
 */
export const ATTEMPT_OUTCOMES = ['succeeded', 'failed', 'timed_out', 'cancelled', 'oom_killed', 'lost'] as const;
export type AttemptOutcomeKind = (typeof ATTEMPT_OUTCOMES)[number];
export const isTerminalStatus = (s: TaskStatus): boolean => TERMINAL_STATUSES.includes(s);

export const ResourceRequestSchema = z
  .object({
    cpuMillis: z.number().int().min(0).max(1_000_000).default(100),
    memMb: z.number().int().min(0).max(10_000_000).default(64),
    gpu: z.number().int().min(0).max(64).default(0),
  })
  .strict();
export type ResourceRequest = z.infer<typeof ResourceRequestSchema>;

const L = INPUT_LIMITS;

/** Queue names: also a path parameter (`/api/queues/:queue/policy`) and an indexed column. */
export const QueueNameSchema = safeString({ maxBytes: L.queueBytes, minLength: 1 }).regex(/^[a-z0-9][a-z0-9_.-]*$/, 'queue must be lower-case letters, digits, _ . -');

/**
 * How secret values are checked: `input` counts their own bytes (what a client sent); `stored` counts
 * the plaintext under a sealed envelope (`v1:…`, see secret-envelope.ts), so a spec that passed input
 * validation still passes when it is re-read sealed from the database or the bus.
 */
type SecretMode = 'input' | 'stored';

function secretValueSchema(maxBytes: number, mode: SecretMode, extra?: (v: string, ctx: z.RefinementCtx) => void) {
  if (mode === 'input') {
    const s = safeString({ maxBytes });
    return extra ? s.superRefine(extra) : s;
  }
  return z
    .string()
    .max(sealedLength(maxBytes), `must be at most ${maxBytes} bytes`)
    .superRefine((v, ctx) => {
      const sealed = sealedPlaintextBytes(v);
      if (sealed === null) {
        checkSafeText(v, maxBytes, ctx);
        extra?.(v, ctx);
      } else if (sealed > maxBytes) ctx.addIssue({ code: 'custom', message: `must be at most ${maxBytes} bytes (got ${sealed})` });
    });
}

const secretBytes = (v: string, mode: SecretMode): number => (mode === 'stored' ? (sealedPlaintextBytes(v) ?? utf8ByteLength(v)) : utf8ByteLength(v));
/** UTF-8 bytes of maps' names and values; exact counting only when the cheap bound (3 bytes a code unit) exceeds `limit`. */
function mapBytes(maps: { rec: Record<string, string>; secret: boolean }[], mode: SecretMode, limit: number): number {
  let bound = 0;
  for (const { rec } of maps) for (const [k, v] of Object.entries(rec)) bound += 3 * (k.length + v.length);
  if (bound <= limit) return bound;
  let bytes = 0;
  for (const { rec, secret } of maps) for (const [k, v] of Object.entries(rec)) bytes += utf8ByteLength(k) + (secret ? secretBytes(v, mode) : utf8ByteLength(v));
  return bytes;
}

const envName = safeString({ maxBytes: L.env.nameBytes, minLength: 1 }).refine((n) => !n.includes('='), 'must not contain "="');
const envValue = safeString({ maxBytes: L.env.valueBytes });

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerName = safeString({ maxBytes: L.http.headerNameBytes, minLength: 1 }).regex(HEADER_NAME, "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)");
const noLineBreak = (v: string, ctx: z.RefinementCtx) => {
  if (/[\r\n]/.test(v)) ctx.addIssue({ code: 'custom', message: 'must not contain CR or LF' });
};
const headerValue = safeString({ maxBytes: L.http.headerValueBytes }).superRefine(noLineBreak);

function httpUrl(v: string, ctx: z.RefinementCtx): void {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `must use http or https (got ${url.protocol.slice(0, 20)})` });
  if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not embed credentials (user:password@); send them in an Authorization entry of secretHeaders' });
}

function shellRunSpecSchema(mode: SecretMode) {
  return z
    .object({
      kind: z.literal('shell'),
      /** argv[0] is the program; spawned without a shell unless `shell: true`. */
      command: safeStringArray(safeString({ maxBytes: L.command.argBytes, minLength: 1 }), {
        maxItems: L.command.args,
        maxTotalBytes: L.command.totalBytes,
        minItems: 1,
        minMessage: 'command must name a program',
      }),
      shell: z.boolean().default(false),
      /** Plain variables; names matching the secret patterns (*TOKEN*, *KEY*…) are treated as secret anyway. */
      env: safeRecord(envName, envValue, { maxEntries: L.env.entries }).default({}),
      /**
       * Write-only variables: never returned by the API, never logged, encrypted at rest. Omitted when
       * there are none (so specs without secrets keep their old shape).
       */
      secretEnv: safeRecord(envName, secretValueSchema(L.env.valueBytes, mode), { maxEntries: L.env.entries }).optional(),
      cwd: safeString({ maxBytes: L.cwdBytes, minLength: 1 }).optional(),
    })
    .strict()
    .superRefine((spec, ctx) => {
      const secret = spec.secretEnv ?? {};
      for (const k of Object.keys(secret)) if (Object.hasOwn(spec.env, k)) ctx.addIssue({ code: 'custom', path: ['secretEnv', k], message: 'is also set in env' });
      const entries = Object.keys(spec.env).length + Object.keys(secret).length;
      const bytes = mapBytes([{ rec: spec.env, secret: false }, { rec: secret, secret: true }], mode, L.env.totalBytes);
      if (entries > L.env.entries) ctx.addIssue({ code: 'custom', path: ['env'], message: `env and secretEnv must have at most ${L.env.entries} entries together (got ${entries})` });
      if (bytes > L.env.totalBytes) ctx.addIssue({ code: 'custom', path: ['env'], message: `env and secretEnv must total at most ${L.env.totalBytes} bytes (got ${bytes})` });
    });
}

function httpRunSpecSchema(mode: SecretMode) {
  return z
    .object({
      kind: z.literal('http'),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
      url: safeString({ maxBytes: L.http.urlBytes, minLength: 1 }).superRefine(httpUrl),
      /** Plain headers; Authorization, Proxy-Authorization, Cookie (and configured others) are treated as secret anyway. */
      headers: safeRecord(headerName, headerValue, { maxEntries: L.http.headers }).default({}),
      /** Write-only headers, like secretEnv. */
      secretHeaders: safeRecord(headerName, secretValueSchema(L.http.headerValueBytes, mode, noLineBreak), { maxEntries: L.http.headers }).optional(),
      body: safeString({ maxBytes: L.http.bodyBytes }).optional(),
      expectStatus: z.array(z.number().int().min(100).max(599)).max(500).default([200, 201, 202, 204]),
    })
    .strict()
    .superRefine((spec, ctx) => {
      const seen = new Map<string, string>();
      const secret = spec.secretHeaders ?? {};
      for (const [field, rec] of [['headers', spec.headers], ['secretHeaders', secret]] as const) {
        for (const k of Object.keys(rec)) {
          const lower = k.toLowerCase();
          const prior = seen.get(lower);
          if (prior !== undefined) ctx.addIssue({ code: 'custom', path: [field, k], message: `duplicates ${prior} (header names are case-insensitive)` });
          else seen.set(lower, `${field}.${k}`);
        }
      }
      const entries = Object.keys(spec.headers).length + Object.keys(secret).length;
      const bytes = mapBytes([{ rec: spec.headers, secret: false }, { rec: secret, secret: true }], mode, L.http.headersTotalBytes);
      if (entries > L.http.headers) ctx.addIssue({ code: 'custom', path: ['headers'], message: `headers and secretHeaders must have at most ${L.http.headers} entries together (got ${entries})` });
      if (bytes > L.http.headersTotalBytes) ctx.addIssue({ code: 'custom', path: ['headers'], message: `headers and secretHeaders must total at most ${L.http.headersTotalBytes} bytes (got ${bytes})` });
    });
}

export const ShellRunSpecSchema = shellRunSpecSchema('input');
export const HttpRunSpecSchema = httpRunSpecSchema('input');

export const NoopRunSpecSchema = z
  .object({
    kind: z.literal('noop'),
    /** Sleep this long, then succeed; for tests and benchmarks. */
    sleepMs: z.number().int().min(0).max(86_400_000).default(0),
    failWith: z.number().int().min(1).max(255).optional(),
  })
  .strict();

/** What clients send (API bodies): secret values counted as sent. */
export const RunSpecSchema = z.discriminatedUnion('kind', [ShellRunSpecSchema, HttpRunSpecSchema, NoopRunSpecSchema]);
export type RunSpec = z.infer<typeof RunSpecSchema>;
/** What is stored and published (events): the same shape, secret values possibly sealed. */
export const StoredRunSpecSchema = z.discriminatedUnion('kind', [shellRunSpecSchema('stored'), httpRunSpecSchema('stored'), NoopRunSpecSchema]);

export const SubmitTaskSchema = z
  .object({
    name: safeString({ maxBytes: L.nameBytes, minLength: 1 }).optional(),
    run: RunSpecSchema,
    queue: QueueNameSchema.default('default'),
    priority: z.number().int().min(0).max(100).default(50),
    resources: ResourceRequestSchema.default({ cpuMillis: 100, memMb: 64, gpu: 0 }),
    timeoutMs: z.number().int().min(1).max(7 * 86_400_000).default(3_600_000),
    maxAttempts: z.number().int().min(1).max(20).default(1),
    idempotencyKey: safeString({ maxBytes: L.idempotencyKeyBytes, minLength: 1 }).optional(),
    labels: safeRecord(safeString({ maxBytes: L.labels.keyBytes, minLength: 1 }), safeString({ maxBytes: L.labels.valueBytes }), { maxEntries: L.labels.entries }).default({}),
  })
  .strict();
export type SubmitTask = z.infer<typeof SubmitTaskSchema>;
export type SubmitTaskInput = z.input<typeof SubmitTaskSchema>;
