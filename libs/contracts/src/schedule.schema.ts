import { Cron } from 'croner';
import { z } from 'zod';
import { SubmitTaskSchema } from './task.schema';
import { SubmitWorkflowSchema } from './workflow.schema';

// A schedule as data: what to submit (a task or workflow template), when (a cron or interval
// trigger), and the rules applied to each tick. Semantics live in @kairos/scheduling-core
// (schedules/); this file only says what a valid schedule is, so a bad one is a 400 naming the field.

/** Shortest interval trigger; cron triggers are limited to one tick a second by their grammar. */
export const MIN_INTERVAL_MS = 1_000;
export const MAX_INTERVAL_MS = 366 * 86_400_000;
export const MAX_SHARDS = 1_000;
export const MAX_JITTER_MS = 3_600_000;
export const MAX_MISFIRE_CAP = 1_000;
/** Env vars the scheduler sets on each shard's task; a template may not set them itself. */
export const SHARD_INDEX_ENV = 'KAIROS_SHARD_INDEX';
export const SHARD_COUNT_ENV = 'KAIROS_SHARD_COUNT';
/** Labels the scheduler sets on each task it submits. */
export const SCHEDULE_LABELS = {
  scheduleId: 'kairos.schedule',
  tickAt: 'kairos.tick',
  shardIndex: 'kairos.shard-index',
  shardCount: 'kairos.shard-count',
} as const;
const RESERVED_ENV: readonly string[] = [SHARD_INDEX_ENV, SHARD_COUNT_ENV];
const RESERVED_LABELS: readonly string[] = Object.values(SCHEDULE_LABELS);

/** True when the runtime's ICU knows the IANA zone (case-insensitive, aliases such as `Etc/UTC` too). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Croner's message for a cron expression it rejects, `never fires` for one that matches no instant
 * (30 February), or null when valid. Five fields (minute precision) or six (leading seconds field).
 */
export function cronExpressionProblem(expression: string): string | null {
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true, mode: '5-or-6-parts' });
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  // Deterministic reference instant, so validity never depends on when the request arrived.
  return cron.nextRun(new Date(0)) === null ? 'never fires (the expression matches no date)' : null;
}

const IsoInstantSchema = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 instant with a time zone offset or Z' });

export const CronTriggerSchema = z
  .object({
    kind: z.literal('cron'),
    /** `sec min hour day-of-month month day-of-week`, or the usual five fields (seconds = 0). */
    expression: z
      .string()
      .min(1, 'expression is empty')
      .max(200)
      .superRefine((expr, ctx) => {
        const problem = cronExpressionProblem(expr);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** IANA zone the expression is read in; DST follows croner (docs/architecture.md, Schedules). */
    timezone: z
      .string()
      .min(1)
      .max(64)
      .refine(isKnownTimeZone, { message: 'unknown IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)' })
      .default('UTC'),
  })
  .strict();
export type CronTrigger = z.infer<typeof CronTriggerSchema>;

export const IntervalTriggerSchema = z
  .object({
    kind: z.literal('interval'),
    everyMs: z
      .number()
      .int()
      .min(MIN_INTERVAL_MS, `everyMs must be at least ${MIN_INTERVAL_MS} ms`)
      .max(MAX_INTERVAL_MS, `everyMs must be at most ${MAX_INTERVAL_MS} ms (366 days)`),
    /** Ticks fall on anchor + k·everyMs; default: startAt, else the Unix epoch (wall-clock aligned). */
    anchor: IsoInstantSchema.optional(),
  })
  .strict();
export type IntervalTrigger = z.infer<typeof IntervalTriggerSchema>;

export const ScheduleTriggerSchema = z.discriminatedUnion('kind', [CronTriggerSchema, IntervalTriggerSchema]);
export type ScheduleTrigger = z.infer<typeof ScheduleTriggerSchema>;

/** How late a tick may fire before it counts as missed (Quartz's misfire threshold; default 60 s). */
const GraceMsSchema = z.number().int().min(0).max(86_400_000).default(60_000);

export const MisfirePolicySchema = z.discriminatedUnion('rule', [
  z.object({ rule: z.literal('skip'), graceMs: GraceMsSchema }).strict(),
  z.object({ rule: z.literal('run_once'), graceMs: GraceMsSchema }).strict(),
  z
    .object({
      rule: z.literal('run_all'),
      graceMs: GraceMsSchema,
      /** Run at most the `cap` most recent missed ticks; older ones are recorded as skipped. */
      cap: z.number().int().min(1).max(MAX_MISFIRE_CAP).default(100),
    })
    .strict(),
]);
export type MisfirePolicy = z.infer<typeof MisfirePolicySchema>;

export const CONCURRENCY_RULES = ['allow', 'forbid', 'replace'] as const;
export type ConcurrencyRule = (typeof CONCURRENCY_RULES)[number];

export const CircuitBreakerConfigSchema = z
  .object({
    /** K: the breaker opens after K consecutive failed ticks. */
    failureThreshold: z.number().int().min(1).max(1_000),
    /** Time open before one trial tick is let through (half-open). */
    cooldownMs: z.number().int().min(1_000).max(7 * 86_400_000),
  })
  .strict();
export type CircuitBreakerConfig = z.infer<typeof CircuitBreakerConfigSchema>;

export const ScheduleTemplateSchema = z.discriminatedUnion('kind', [
  // The scheduler sets the idempotency key per tick and shard, so a template cannot carry one.
  z.object({ kind: z.literal('task'), task: SubmitTaskSchema.omit({ idempotencyKey: true }) }).strict(),
  z.object({ kind: z.literal('workflow'), workflow: SubmitWorkflowSchema }).strict(),
]);
export type ScheduleTemplate = z.infer<typeof ScheduleTemplateSchema>;
export type ScheduledTaskTemplate = Extract<ScheduleTemplate, { kind: 'task' }>['task'];

type TemplateTask = { run: { kind: string; env?: Record<string, string> }; labels: Record<string, string> };

function reservedKeyIssues(task: TemplateTask, path: (string | number)[], ctx: z.RefinementCtx): void {
  for (const k of Object.keys(task.run.env ?? {})) {
    if (RESERVED_ENV.includes(k)) ctx.addIssue({ code: 'custom', path: [...path, 'run', 'env', k], message: `${k} is set by the scheduler` });
  }
  for (const k of Object.keys(task.labels)) {
    if (RESERVED_LABELS.includes(k)) ctx.addIssue({ code: 'custom', path: [...path, 'labels', k], message: `${k} is set by the scheduler` });
  }
}

const ScheduleFieldsSchema = z.object({
  name: z.string().min(1).max(200),
  template: ScheduleTemplateSchema,
  trigger: ScheduleTriggerSchema,
  /** First instant a tick may fall on (inclusive). */
  startAt: IsoInstantSchema.optional(),
  /** No tick at or after this instant (exclusive). */
  endAt: IsoInstantSchema.optional(),
  misfire: MisfirePolicySchema.default({ rule: 'run_once', graceMs: 60_000 }),
  concurrency: z.enum(CONCURRENCY_RULES).default('allow'),
  /** Each tick fires up to this much later, the same offset on every replica (hash of schedule and tick). */
  jitterMs: z.number().int().min(0).max(MAX_JITTER_MS).default(0),
  /** Each tick fans out into this many tasks (or workflows), one per shard. */
  shards: z.number().int().min(1).max(MAX_SHARDS).default(1),
  circuitBreaker: CircuitBreakerConfigSchema.optional(),
  paused: z.boolean().default(false),
});

function scheduleIssues(s: z.infer<typeof ScheduleFieldsSchema>, ctx: z.RefinementCtx): void {
  if (s.startAt !== undefined && s.endAt !== undefined && Date.parse(s.endAt) <= Date.parse(s.startAt)) {
    ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'endAt must be after startAt' });
  }
  if (s.template.kind === 'task') reservedKeyIssues(s.template.task, ['template', 'task'], ctx);
  else s.template.workflow.tasks.forEach((t, i) => reservedKeyIssues(t, ['template', 'workflow', 'tasks', i], ctx));
}

/** Body of `POST /api/schedules`. */
export const CreateScheduleSchema = ScheduleFieldsSchema.strict().superRefine(scheduleIssues);
export type CreateSchedule = z.infer<typeof CreateScheduleSchema>;
export type CreateScheduleInput = z.input<typeof CreateScheduleSchema>;

/** A stored schedule: the created definition plus its identity. */
export const ScheduleSchema = ScheduleFieldsSchema.extend({
  id: z.string().min(1).max(100),
  createdAt: IsoInstantSchema,
})
  .strict()
  .superRefine(scheduleIssues);
export type Schedule = z.infer<typeof ScheduleSchema>;
export type ScheduleInput = z.input<typeof ScheduleSchema>;
