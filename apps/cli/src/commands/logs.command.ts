import { Option, type Command } from 'commander';
import type { TaskDetail } from '@kairos/client';
import { clientOf, globalsOf, parseDuration, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { toJsonText } from '../output/table.format';
import { isTerminalTaskStatus } from '../watch/run-snapshot';

interface LogsFlags {
  follow?: boolean;
  interval: number;
}

/**
 * The output tail of a task. The server keeps the last OUTPUT_TAIL_BYTES of each attempt and records
 * them when the attempt ends, so --follow prints each attempt's output as it ends, until the task does.
 */
export function registerLogs(program: Command, ctx: CliContext): void {
  program
    .command('logs')
    .description("print a task's output tail (the last OUTPUT_TAIL_BYTES of its latest attempt); --follow waits until the task ends")
    .argument('<taskId>', 'task id')
    .option('-f, --follow', 'keep polling and print each attempt’s output as it is recorded, until the task ends')
    .addOption(new Option('--interval <duration>', 'poll period with --follow').argParser(parseDuration).default(1000, '1s'))
    .action(async (taskId: string, f: LogsFlags, c: Command) => {
      const { io } = ctx;
      const client = clientOf(c, ctx);
      const json = globalsOf(c).json;
      let shown: string | null = null;
      let said = '';
      for (;;) {
        const t = await client.getTask(taskId);
        const done = isTerminalTaskStatus(t.status);
        if (json) {
          if (done || !f.follow) {
            io.stdout.write(toJsonText({ taskId: t.id, status: t.status, attempts: t.attempts, exitCode: t.exitCode, error: t.error, outputTail: t.outputTail }));
            return;
          }
        } else {
          const key = `${t.attempts}:${t.outputTail ?? ''}`;
          if (t.outputTail !== null && key !== shown) {
            if (f.follow && t.attempts > 1) io.stderr.write(`--- attempt ${t.attempts} ---\n`);
            io.stdout.write(t.outputTail.endsWith('\n') || t.outputTail === '' ? t.outputTail : `${t.outputTail}\n`);
            shown = key;
          }
          const state = describe(t);
          if (f.follow && !done && state !== said) {
            io.stderr.write(`${state}\n`);
            said = state;
          }
          if (!f.follow || done) {
            if (t.outputTail === null) io.stderr.write(`${state}; no output recorded${done ? '' : ' yet (output is recorded when an attempt ends; use --follow)'}\n`);
            else if (done && t.status !== 'succeeded') io.stderr.write(`${state}\n`);
            return;
          }
        }
        await io.sleep(f.interval, ctx.interrupt);
        if (ctx.interrupt.aborted) throw new CliError('INTERRUPTED', 'stopped following; the task goes on');
      }
    });
}

function describe(t: TaskDetail): string {
  const where = t.nodeId ? ` on ${t.nodeId}` : '';
  if (t.status === 'running') return `task ${t.id} running${where} (attempt ${t.attempts}/${t.maxAttempts})`;
  if (t.status === 'queued') return `task ${t.id} queued${t.attempts ? ` (attempt ${t.attempts + 1}/${t.maxAttempts} next)` : ''}`;
  return `task ${t.id} ${t.status}${t.exitCode !== null ? ` (exit code ${t.exitCode})` : ''}${t.error && t.error !== `exit code ${t.exitCode}` ? `: ${t.error}` : ''}`;
}
