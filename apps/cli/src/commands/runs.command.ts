import type { Command } from 'commander';
import { clientOf, collect, globalsOf, type CliContext } from '../cli-context';
import { toJsonText } from '../output/table.format';
import { addFollowOptions, addKindOptions, detectRunKind, followRun, type FollowFlags } from './watch.command';

/** `cancel` (a task or a workflow) and `rerun` (a workflow's failed part). */
export function registerRunCommands(program: Command, ctx: CliContext): void {
  const cancel = program
    .command('cancel')
    .description('cancel a task (running processes get SIGTERM, then SIGKILL) or a workflow (no further tasks start; its queued and running tasks are cancelled)')
    .argument('<id>', 'task or workflow id');
  addKindOptions(cancel).action(async (id: string, f: { task?: boolean; workflow?: boolean }, c: Command) => {
    const { io } = ctx;
    const client = clientOf(c, ctx);
    const kind = await detectRunKind(client, id, f);
    const view = kind === 'task' ? await client.cancelTask(id) : await client.cancelWorkflow(id);
    if (globalsOf(c).json) return void io.stdout.write(toJsonText(view));
    io.stdout.write(kind === 'task' ? `cancellation of task ${id} requested (it was ${view.status})\n` : `workflow ${id} ${view.status}\n`);
  });

  const rerun = program
    .command('rerun')
    .description("rerun a finished workflow's failed tasks and everything downstream of them; succeeded results are kept")
    .argument('<workflowId>', 'workflow id')
    .option('--force <keys>', 'also rerun these succeeded tasks (comma-separated or repeated)', collect)
    .option('-w, --watch', 'follow the rerun until it ends; exit 0 if it succeeded, 1 if not');
  addFollowOptions(rerun).action(async (id: string, f: FollowFlags & { force?: string[]; watch?: boolean }, c: Command) => {
    const { io } = ctx;
    const client = clientOf(c, ctx);
    const r = await client.rerunWorkflow(id, f.force ? { force: f.force } : {});
    if (!f.watch && globalsOf(c).json) return void io.stdout.write(toJsonText(r));
    io.stderr.write(`rerunning ${r.rerun.length} task${r.rerun.length === 1 ? '' : 's'} of workflow ${r.name} (run ${r.generation}): ${r.rerun.join(', ')}; kept ${r.kept.length}\n`);
    if (f.watch) await followRun('workflow', id, c, ctx, client, f);
    else io.stdout.write(`${id}\n`);
  });
}
