import { InvalidArgumentError, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { CreateScheduleSchema, formatZodIssues, type CreateScheduleInput } from '@kairos/contracts';
import type { ScheduleView } from '@kairos/client';
import { clientOf, globalsOf, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { formatTable, orDash, shortTime, toJsonText } from '../output/table.format';
import { readAll } from './submit.command';

function limit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000) throw new InvalidArgumentError('must be a whole number from 1 to 1000');
  return Number(value);
}

function triggerText(s: ScheduleView): string {
  const t = s.trigger;
  return t.kind === 'cron' ? `cron ${t.expression ?? '?'} ${t.timezone ?? 'UTC'}` : `every ${t.everyMs ?? '?'} ms`;
}

/** A schedule file (YAML or JSON), checked with the server's own schema so each bad field is named here. */
export function parseScheduleText(text: string, file: string): CreateScheduleInput {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new CliError('INVALID_INPUT', `${file}: invalid YAML/JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = CreateScheduleSchema.safeParse(value);
  if (!r.success) throw new CliError('INVALID_INPUT', `${file}: invalid schedule: ${formatZodIssues(r.error).join('; ')}`);
  return value as CreateScheduleInput;
}

export function registerSchedules(program: Command, ctx: CliContext): void {
  const schedules = program.command('schedules').description('recurring tasks: cron (with seconds and time zone) or interval triggers');
  const show = (c: Command, s: ScheduleView) => {
    if (globalsOf(c).json) return void ctx.io.stdout.write(toJsonText(s));
    ctx.io.stdout.write(`${s.id}  ${s.name}  ${triggerText(s)}  ${s.deletedAt ? 'deleted' : s.paused ? 'paused' : 'active'}  breaker ${s.state?.breaker.status ?? 'closed'}  next ${shortTime(s.nextTickAt)}\n`);
  };

  schedules
    .command('ls')
    .description('schedules, newest first')
    .option('--limit <n>', 'at most this many (1-1000)', limit, 100)
    .action(async (f: { limit: number }, c: Command) => {
      const list = await clientOf(c, ctx).listSchedules(f.limit);
      if (globalsOf(c).json) return void ctx.io.stdout.write(toJsonText(list));
      ctx.io.stdout.write(
        formatTable(
          ['ID', 'NAME', 'TRIGGER', 'STATE', 'BREAKER', 'NEXT'],
          list.map((s) => [s.id, s.name, triggerText(s), s.paused ? 'paused' : 'active', s.state?.breaker.status ?? 'closed', shortTime(s.nextTickAt)]),
        ),
      );
    });

  schedules
    .command('create')
    .description('create a schedule from a YAML or JSON file (- for stdin)')
    .argument('<file>', 'schedule spec: name, template, trigger, misfire, concurrency, jitterMs, shards, circuitBreaker, paused')
    .action(async (file: string, _f: unknown, c: Command) => {
      const text = file === '-' ? await readAll(ctx.io.stdin) : await ctx.io.readFile(file);
      show(c, await clientOf(c, ctx).createSchedule(parseScheduleText(text, file === '-' ? 'stdin' : file)));
    });

  schedules
    .command('get')
    .description('a schedule with its breaker state and next tick')
    .argument('<id>', 'schedule id')
    .action(async (id: string, _f: unknown, c: Command) => show(c, await clientOf(c, ctx).getSchedule(id)));

  schedules
    .command('ticks')
    .description('tick history, newest first: fired (task, status, delay) or skipped (reason)')
    .argument('<id>', 'schedule id')
    .option('--limit <n>', 'at most this many (1-1000)', limit, 50)
    .action(async (id: string, f: { limit: number }, c: Command) => {
      const ticks = await clientOf(c, ctx).scheduleTicks(id, f.limit);
      if (globalsOf(c).json) return void ctx.io.stdout.write(toJsonText(ticks));
      ctx.io.stdout.write(
        formatTable(
          ['TICK', 'SHARD', 'OUTCOME', 'TASK', 'STATUS', 'DELAY MS', 'NOTE'],
          ticks.map((t) => [t.tickAt, String(t.shard), t.outcome, orDash(t.taskId), orDash(t.taskStatus), orDash(t.delayMs), [t.skipReason, t.catchUp ? 'catch-up' : null, t.trial ? 'trial' : null].filter(Boolean).join(' ') || '-']),
        ),
      );
    });

  for (const [name, description] of [
    ['pause', 'pause: no tick fires until resumed'],
    ['resume', 'resume from now (ticks missed while paused are not run)'],
    ['delete', 'delete (history stays readable)'],
  ] as const) {
    schedules
      .command(name)
      .description(description)
      .argument('<id>', 'schedule id')
      .action(async (id: string, _f: unknown, c: Command) => {
        const client = clientOf(c, ctx);
        show(c, await (name === 'pause' ? client.pauseSchedule(id) : name === 'resume' ? client.resumeSchedule(id) : client.deleteSchedule(id)));
      });
  }

  schedules
    .command('trigger')
    .description('run one tick now (all shards), outside the trigger')
    .argument('<id>', 'schedule id')
    .action(async (id: string, _f: unknown, c: Command) => {
      const r = await clientOf(c, ctx).triggerSchedule(id);
      if (globalsOf(c).json) return void ctx.io.stdout.write(toJsonText(r));
      ctx.io.stdout.write(`tick ${r.tickAt}: ${r.tasks.map((t) => t.id).join(' ')}\n`);
    });
}

