import { formatZodIssues } from './envelope';
import { CreateScheduleSchema, ScheduleSchema, cronExpressionProblem, isKnownTimeZone, type CreateScheduleInput } from './schedule.schema';

const base: CreateScheduleInput = {
  name: 'reconcile',
  template: { kind: 'task', task: { run: { kind: 'shell', command: ['reconcile.sh'] } } },
  trigger: { kind: 'cron', expression: '*/5 * * * * *', timezone: 'Europe/Berlin' },
};

function issuesOf(input: unknown): string[] {
  const r = CreateScheduleSchema.safeParse(input);
  if (r.success) throw new Error('expected a validation failure');
  return formatZodIssues(r.error);
}

describe('CreateScheduleSchema', () => {
  it('accepts a seconds cron in an IANA zone and fills the defaults', () => {
    const s = CreateScheduleSchema.parse(base);
    expect(s).toMatchObject({
      misfire: { rule: 'run_once', graceMs: 60_000 },
      concurrency: 'allow',
      jitterMs: 0,
      shards: 1,
      paused: false,
    });
    expect(s.circuitBreaker).toBeUndefined();
  });

  it('accepts five-field cron, interval triggers with an anchor, a workflow template, run_all with its default cap', () => {
    expect(CreateScheduleSchema.parse({ ...base, trigger: { kind: 'cron', expression: '30 2 * * *' } }).trigger).toEqual({ kind: 'cron', expression: '30 2 * * *', timezone: 'UTC' });
    expect(CreateScheduleSchema.parse({ ...base, trigger: { kind: 'interval', everyMs: 5_000, anchor: '2025-01-01T00:00:00Z' } }).trigger.kind).toBe('interval');
    const wf = CreateScheduleSchema.parse({ ...base, template: { kind: 'workflow', workflow: { name: 'w', tasks: [{ key: 'a', run: { kind: 'noop' } }] } } });
    expect(wf.template.kind).toBe('workflow');
    expect(CreateScheduleSchema.parse({ ...base, misfire: { rule: 'run_all' } }).misfire).toEqual({ rule: 'run_all', cap: 100, graceMs: 60_000 });
  });

  it.each<[string, unknown, string]>([
    ['a seconds value out of range', { ...base, trigger: { ...base.trigger, expression: '61 * * * * *' } }, 'trigger.expression: CronPattern: Invalid value for second: 61'],
    ['a non-cron string', { ...base, trigger: { ...base.trigger, expression: 'every day' } }, 'trigger.expression: CronPattern: invalid configuration format'],
    ['an impossible date', { ...base, trigger: { ...base.trigger, expression: '0 0 0 30 2 *' } }, 'trigger.expression: never fires'],
    ['an unknown time zone', { ...base, trigger: { ...base.trigger, timezone: 'Mars/Olympus_Mons' } }, 'trigger.timezone: unknown IANA time zone'],
    ['an interval under the minimum', { ...base, trigger: { kind: 'interval', everyMs: 10 } }, 'trigger.everyMs: everyMs must be at least 1000 ms'],
    ['an anchor without offset', { ...base, trigger: { kind: 'interval', everyMs: 5000, anchor: '2025-01-01 00:00' } }, 'trigger.anchor: expected an ISO 8601 instant'],
    ['endAt before startAt', { ...base, startAt: '2025-01-02T00:00:00Z', endAt: '2025-01-01T00:00:00Z' }, 'endAt: endAt must be after startAt'],
    ['zero shards', { ...base, shards: 0 }, 'shards:'],
    ['a negative jitter', { ...base, jitterMs: -1 }, 'jitterMs:'],
    ['a misfire cap of zero', { ...base, misfire: { rule: 'run_all', cap: 0 } }, 'misfire.cap:'],
    ['an unknown misfire rule', { ...base, misfire: { rule: 'later' } }, 'misfire.rule:'],
    ['an unknown concurrency rule', { ...base, concurrency: 'queue' }, 'concurrency:'],
    ['a breaker threshold of zero', { ...base, circuitBreaker: { failureThreshold: 0, cooldownMs: 5000 } }, 'circuitBreaker.failureThreshold:'],
    ['an idempotency key in the template', { ...base, template: { kind: 'task', task: { run: { kind: 'noop' }, idempotencyKey: 'k' } } }, 'template.task: Unrecognized key: "idempotencyKey"'],
    [
      'a reserved env var',
      { ...base, template: { kind: 'task', task: { run: { kind: 'shell', command: ['x'], env: { KAIROS_SHARD_INDEX: '3' } } } } },
      'template.task.run.env.KAIROS_SHARD_INDEX: KAIROS_SHARD_INDEX is set by the scheduler',
    ],
    [
      'a reserved label in a workflow task',
      { ...base, template: { kind: 'workflow', workflow: { name: 'w', tasks: [{ key: 'a', run: { kind: 'noop' }, labels: { 'kairos.schedule': 'x' } }] } } },
      'template.workflow.tasks[0].labels["kairos.schedule"]: kairos.schedule is set by the scheduler',
    ],
  ])('rejects %s, naming the field', (_name, input, expected) => {
    expect(issuesOf(input).join('\n')).toContain(expected);
  });

  it('ScheduleSchema adds identity and keeps the same rules', () => {
    const s = ScheduleSchema.parse({ ...base, id: 'sch-1', createdAt: '2025-01-01T00:00:00Z' });
    expect(s.id).toBe('sch-1');
    expect(ScheduleSchema.safeParse({ ...base, id: 'sch-1' }).success).toBe(false);
  });
});

describe('cron and zone checks', () => {
  it.each([
    ['*/5 * * * * *', null],
    ['0 30 2 * * *', null],
    ['30 2 * * *', null],
    ['0 0 0 29 2 *', null],
    ['0 */90 * * * *', 'CronPattern: Syntax error, steps cannot be greater than maximum value of part (60)'],
    ['0 0 0 31 4 *', 'never fires (the expression matches no date)'],
  ])('%s → %s', (expr, problem) => {
    expect(cronExpressionProblem(expr)).toBe(problem);
  });

  it.each([
    ['Europe/Berlin', true],
    ['UTC', true],
    ['America/New_York', true],
    ['Asia/Tokyo', true],
    ['+02:00', false],
    ['Europe/Atlantis', false],
  ])('zone %s known: %s', (tz, known) => {
    expect(isKnownTimeZone(tz)).toBe(known);
  });
});
