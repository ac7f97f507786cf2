import { z } from 'zod';

export const TASK_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'upstream_failed',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out', 'upstream_failed'];
export const isTerminalStatus = (s: TaskStatus): boolean => TERMINAL_STATUSES.includes(s);

export const ResourceRequestSchema = z
  .object({
    cpuMillis: z.number().int().min(0).max(1_000_000).default(100),
    memMb: z.number().int().min(0).max(10_000_000).default(64),
    gpu: z.number().int().min(0).max(64).default(0),
  })
  .strict();
export type ResourceRequest = z.infer<typeof ResourceRequestSchema>;

export const ShellRunSpecSchema = z
  .object({
    kind: z.literal('shell'),
    /** argv[0] is the program; spawned without a shell unless `shell: true`. */
    command: z.array(z.string().min(1)).min(1, 'command must name a program'),
    shell: z.boolean().default(false),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
  })
  .strict();

export const HttpRunSpecSchema = z
  .object({
    kind: z.literal('http'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    url: z.string().url(),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    expectStatus: z.array(z.number().int().min(100).max(599)).default([200, 201, 202, 204]),
  })
  .strict();

export const NoopRunSpecSchema = z
  .object({
    kind: z.literal('noop'),
    /** Sleep this long, then succeed; for tests and benchmarks. */
    sleepMs: z.number().int().min(0).max(86_400_000).default(0),
    failWith: z.number().int().min(1).max(255).optional(),
  })
  .strict();

export const RunSpecSchema = z.discriminatedUnion('kind', [ShellRunSpecSchema, HttpRunSpecSchema, NoopRunSpecSchema]);
export type RunSpec = z.infer<typeof RunSpecSchema>;

export const SubmitTaskSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    run: RunSpecSchema,
    queue: z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9_.-]*$/, 'queue must be lower-case letters, digits, _ . -').default('default'),
    priority: z.number().int().min(0).max(100).default(50),
    resources: ResourceRequestSchema.default({ cpuMillis: 100, memMb: 64, gpu: 0 }),
    timeoutMs: z.number().int().min(1).max(7 * 86_400_000).default(3_600_000),
    maxAttempts: z.number().int().min(1).max(20).default(1),
    idempotencyKey: z.string().min(1).max(200).optional(),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type SubmitTask = z.infer<typeof SubmitTaskSchema>;
export type SubmitTaskInput = z.input<typeof SubmitTaskSchema>;
