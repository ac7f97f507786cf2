import { Option, type Command } from 'commander';
import { KairosClientError, type KairosClient, type TaskView, type WorkflowView } from '@kairos/client';
import { clientOf, globalsOf, parseDuration, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { toJsonText } from '../output/table.format';
import { formatDuration } from '../watch/progress.render';
import type { RunKind } from '../watch/run-snapshot';
import { watchRun, type WatchResult } from '../watch/run.watcher';

export interface FollowFlags {
  interval: number;
  waitTimeout?: number;
}

/** `--interval` and `--wait-timeout`, shared by watch, submit --watch and rerun --watch. */
export function addFollowOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--interval <duration>', 'how often to poll while watching').argParser(parseDuration).default(1000, '1s'))
    .option('--wait-timeout <duration>', 'stop watching after this long (exit 5); the run goes on', parseDuration);
}

export function addKindOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--task', 'the id is a task').conflicts('workflow'))
    .addOption(new Option('--workflow', 'the id is a workflow').conflicts('task'));
}

/** Task and workflow ids are both UUIDs: ask for a task first, then a workflow. */
export async function detectRunKind(client: KairosClient, id: string, flags: { task?: boolean; workflow?: boolean }): Promise<RunKind> {
  if (flags.task) return 'task';
  if (flags.workflow) return 'workflow';
  try {
    await client.getTask(id);
    return 'task';
  } catch (err) {
    if (!(err instanceof KairosClientError) || err.status !== 404) throw err;
  }
  try {
    await client.getWorkflow(id);
    return 'workflow';
  } catch (err) {
    if (err instanceof KairosClientError && err.status === 404) throw new CliError('SERVER_REFUSED', `no task or workflow with id ${id}`);
    throw err;
  }
}

/** Watches to the end, prints the outcome; throws RUN_FAILED (exit 1) unless it succeeded. */
export async function followRun(kind: RunKind, id: string, cmd: Command, ctx: CliContext, client: KairosClient, flags: FollowFlags): Promise<void> {
  const { io } = ctx;
  const result = await watchRun(
    kind,
    id,
    {
      client,
      now: () => io.now(),
      sleep: (ms, signal) => io.sleep(ms, signal),
      progress: { isTTY: io.stderr.isTTY === true, columns: io.stderr.columns || 80, write: (t) => io.stderr.write(t) },
    },
    { intervalMs: flags.interval, waitTimeoutMs: flags.waitTimeout, signal: ctx.interrupt },
  );
  if (globalsOf(cmd).json) io.stdout.write(toJsonText(result.view));
  const summary = describeOutcome(result);
  if (!result.snapshot.succeeded) throw new CliError('RUN_FAILED', summary.headline, summary.detail);
  if (!globalsOf(cmd).json) io.stdout.write(`${summary.headline}\n`);
}

export function describeOutcome(r: WatchResult): { headline: string; detail?: string } {
  return r.kind === 'task' ? describeTask(r.view) : describeWorkflow(r.view);
}

function took(startIso: string | null, endIso: string | null): string {
  if (!startIso || !endIso) return '';
  return ` in ${formatDuration(Date.parse(endIso) - Date.parse(startIso))}`;
}

function describeTask(t: TaskView): { headline: string; detail?: string } {
  const label = `task ${t.id}${t.name ? ` (${t.name})` : ''}`;
  if (t.status === 'succeeded') return { headline: `${label} succeeded${took(t.startedAt, t.finishedAt)}` };
  const why = [t.exitCode !== null ? `exit code ${t.exitCode}` : null, t.error && t.error !== `exit code ${t.exitCode}` ? t.error : null].filter(Boolean).join(', ');
  const headline = `${label} ${t.status.replace('_', ' ')}${why ? `: ${why}` : ''} after ${t.attempts} attempt${t.attempts === 1 ? '' : 's'}`;
  const tail = (t.outputTail ?? '').trimEnd().split('\n').slice(-10);
  const detail = tail.length && tail[0] !== '' ? `last output:\n${tail.map((l) => `  | ${l}`).join('\n')}` : `see: kairos logs ${t.id}`;
  return { headline, detail };
}

function describeWorkflow(w: WorkflowView): { headline: string; detail?: string } {
  const label = `workflow ${w.name} (${w.id})`;
  const n = w.tasks.length;
  if (w.status === 'succeeded') return { headline: `${label} succeeded: ${n}/${n} tasks${took(w.createdAt, w.finishedAt)}` };
  const failed = w.tasks.filter((t) => t.status === 'failed');
  const skipped = w.tasks.filter((t) => t.status === 'upstream_failed');
  const done = w.tasks.filter((t) => t.status === 'succeeded').length;
  const headline = `${label} ${w.status}: ${done}/${n} succeeded, ${failed.length} failed${skipped.length ? `, ${skipped.length} not run (upstream failed)` : ''}`;
  const lines = failed.map((t) => `  ${t.key}: ${t.taskStatus ?? t.status}${t.exitCode !== null && t.exitCode !== undefined ? ` (exit code ${t.exitCode})` : ''}${t.taskId ? ` — kairos logs ${t.taskId}` : ''}`);
  if (skipped.length) lines.push(`  not run: ${skipped.map((t) => t.key).join(', ')}`);
  if (w.status === 'failed') lines.push(`rerun the failed part with: kairos rerun ${w.id} --watch`);
  return { headline, detail: lines.join('\n') || undefined };
}

export function registerWatch(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('watch')
    .description('follow a task or workflow until it ends, with a progress bar (a plain line when not on a terminal); exit 0 if it succeeded, 1 if not')
    .argument('<id>', 'task or workflow id');
  addKindOptions(cmd);
  addFollowOptions(cmd).action(async (id: string, opts: FollowFlags & { task?: boolean; workflow?: boolean }, c: Command) => {
    const client = clientOf(c, ctx);
    const kind = await detectRunKind(client, id, opts);
    await followRun(kind, id, c, ctx, client, opts);
  });
}
