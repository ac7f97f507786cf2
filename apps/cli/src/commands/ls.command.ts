import { Argument, type Command } from 'commander';
import { TASK_STATUSES, WORKFLOW_STATUSES } from '@kairos/contracts';
import { clientOf, globalsOf, oneOf, positiveInt, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { formatTable, orDash, shortTime, toJsonText } from '../output/table.format';
import { formatDuration } from '../watch/progress.render';

interface LsFlags {
  status?: string;
  queue?: string;
  limit: number;
  cursor?: string;
}

export function registerLs(program: Command, ctx: CliContext): void {
  program
    .command('ls')
    .description('list tasks or workflows, newest first (--json prints { items, nextCursor })')
    .addArgument(new Argument('[what]', 'what to list').choices(['tasks', 'workflows']).default('tasks'))
    .option('--status <status>', `only this status (tasks: ${TASK_STATUSES.join(', ')}; workflows: ${WORKFLOW_STATUSES.join(', ')})`)
    .option('--queue <queue>', 'tasks: only this queue')
    .option('--limit <n>', 'at most this many', positiveInt(1000), 20)
    .option('--cursor <cursor>', 'the next page, from an earlier answer’s nextCursor')
    .action(async (what: 'tasks' | 'workflows', f: LsFlags, c: Command) => {
      const { io } = ctx;
      const json = globalsOf(c).json;
      if (what === 'tasks') {
        const status = f.status === undefined ? undefined : named('--status', () => oneOf(TASK_STATUSES)(f.status!));
        const page = await clientOf(c, ctx).listTasks({ status, queue: f.queue, limit: f.limit, cursor: f.cursor });
        if (json) return void io.stdout.write(toJsonText(page));
        io.stdout.write(
          formatTable(
            ['ID', 'NAME', 'QUEUE', 'STATUS', 'TRIES', 'EXIT', 'CREATED', 'TOOK'],
            page.items.map((t) => [t.id, orDash(t.name), t.queue, t.status, `${t.attempts}/${t.maxAttempts}`, orDash(t.exitCode), shortTime(t.createdAt), t.durationMs ? formatDuration(t.durationMs) : '-']),
          ),
        );
        if (page.nextCursor) io.stderr.write(`more: kairos ls tasks --cursor ${page.nextCursor}\n`);
        return;
      }
      if (f.queue !== undefined) throw new CliError('USAGE', '--queue applies to tasks only');
      const status = f.status === undefined ? undefined : named('--status', () => oneOf(WORKFLOW_STATUSES)(f.status!));
      const page = await clientOf(c, ctx).listWorkflows({ status, limit: f.limit, cursor: f.cursor });
      if (json) return void io.stdout.write(toJsonText(page));
      io.stdout.write(
        formatTable(
          ['ID', 'NAME', 'STATUS', 'RUN', 'TASKS', 'CREATED'],
          page.items.map((w) => [w.id, w.name, w.status, String(w.generation), Object.entries(w.counts).map(([k, n]) => `${k}:${n}`).join(' '), shortTime(w.createdAt)]),
        ),
      );
      if (page.nextCursor) io.stderr.write(`more: kairos ls workflows --cursor ${page.nextCursor}\n`);
    });
}

/** Runs a flag check, prefixing its message with the flag. */
function named<T>(flag: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw new CliError('USAGE', `${flag}: ${(err as Error).message}`);
  }
}
