import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { SubmitTaskInput } from '@kairos/contracts';
import { SubmitTaskSchema } from '@kairos/contracts';
import { clientOf, globalsOf, intInRange, keyValue, parseDuration, positiveInt, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { formatPath, parseSpecText, type ParsedSpec, type SpecKind } from '../input/spec-file.parser';
import { toJsonText } from '../output/table.format';
import { addFollowOptions, followRun, type FollowFlags } from './watch.command';

interface SubmitFlags extends FollowFlags {
  file?: string;
  task?: boolean;
  workflow?: boolean;
  name?: string;
  queue?: string;
  priority?: number;
  maxAttempts?: number;
  taskTimeout?: number;
  cpu?: number;
  mem?: number;
  env?: Record<string, string>;
  label?: Record<string, string>;
  cwd?: string;
  shell?: boolean;
  idempotencyKey?: string;
  watch?: boolean;
  dryRun?: boolean;
}

const QUICK_TASK_FLAGS: ReadonlyArray<[keyof SubmitFlags, string]> = [
  ['queue', '--queue'],
  ['priority', '--priority'],
  ['maxAttempts', '--max-attempts'],
  ['taskTimeout', '--task-timeout'],
  ['cpu', '--cpu'],
  ['mem', '--mem'],
  ['env', '--env'],
  ['label', '--label'],
  ['cwd', '--cwd'],
  ['shell', '--shell'],
  ['idempotencyKey', '--idempotency-key'],
];

/** The spec a `kairos submit [flags] -- program args…` describes, checked like a file would be. */
export function quickTaskSpec(command: readonly string[], f: SubmitFlags): SubmitTaskInput {
  const raw = {
    ...(f.name !== undefined ? { name: f.name } : {}),
    run: {
      kind: 'shell' as const,
      // --shell: one command line for /bin/sh; otherwise argv, spawned without a shell.
      command: f.shell ? [command.join(' ')] : [...command],
      ...(f.shell ? { shell: true } : {}),
      ...(f.env ? { env: f.env } : {}),
      ...(f.cwd !== undefined ? { cwd: f.cwd } : {}),
    },
    ...(f.queue !== undefined ? { queue: f.queue } : {}),
    ...(f.priority !== undefined ? { priority: f.priority } : {}),
    ...(f.maxAttempts !== undefined ? { maxAttempts: f.maxAttempts } : {}),
    ...(f.taskTimeout !== undefined ? { timeoutMs: f.taskTimeout } : {}),
    ...(f.cpu !== undefined || f.mem !== undefined ? { resources: { ...(f.cpu !== undefined ? { cpuMillis: f.cpu } : {}), ...(f.mem !== undefined ? { memMb: f.mem } : {}) } } : {}),
    ...(f.label ? { labels: f.label } : {}),
    ...(f.idempotencyKey !== undefined ? { idempotencyKey: f.idempotencyKey } : {}),
  };
  const r = SubmitTaskSchema.safeParse(raw);
  if (!r.success) {
    const flagOf: Record<string, string> = { queue: '--queue', priority: '--priority', maxAttempts: '--max-attempts', timeoutMs: '--task-timeout', resources: '--cpu/--mem', labels: '--label', idempotencyKey: '--idempotency-key', name: '--name', run: 'the command' };
    const first = r.error.issues[0];
    const field = formatPath(first.path.filter((p): p is string | number => typeof p !== 'symbol'));
    const top = String(first.path[0] ?? '');
    throw new CliError('USAGE', `${flagOf[top] ?? field}: ${first.message}`);
  }
  return raw;
}

async function readSpec(file: string, f: SubmitFlags, ctx: CliContext): Promise<ParsedSpec> {
  const kind: SpecKind | undefined = f.workflow ? 'workflow' : f.task ? 'task' : undefined;
  let text: string;
  try {
    text = file === '-' ? await readAll(ctx.io.stdin) : await ctx.io.readFile(file);
  } catch (err) {
    throw new CliError('USAGE', `-f ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const shown = file === '-' ? '<stdin>' : file;
  const parsed = parseSpecText(text, shown, { kind, defaultWorkflowName: file === '-' ? undefined : basename(file, extname(file)) });
  if (f.name !== undefined) return parsed.kind === 'workflow' ? { kind: 'workflow', spec: { ...parsed.spec, name: f.name } } : { kind: 'task', spec: { ...parsed.spec, name: f.name } };
  return parsed;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export function registerSubmit(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('submit')
    .description('submit a task or a workflow from a YAML/JSON file (-f), or a quick shell task: kairos submit -- sh -c "echo hi"')
    .argument('[command...]', 'program and arguments of a quick shell task (put them after --)')
    .option('-f, --file <path>', 'task or workflow spec, YAML or JSON (- reads stdin); the kind is told by its shape (`tasks` → workflow, `run` → task)')
    .option('--workflow', 'the file is a workflow')
    .option('--task', 'the file is a single task')
    .option('--name <name>', 'name of the task or workflow (overrides the file; a workflow file without one is named after the file)')
    .option('--queue <queue>', 'quick task: queue')
    .option('--priority <0-100>', 'quick task: priority', intInRange(0, 100))
    .option('--max-attempts <n>', 'quick task: attempts before it counts as failed', positiveInt(20))
    .option('--task-timeout <duration>', 'quick task: kill it after this long (e.g. 30s, 5m)', parseDuration)
    .option('--cpu <millis>', 'quick task: CPU request in millicores', intInRange(0, 1_000_000))
    .option('--mem <mb>', 'quick task: memory request in MB', intInRange(0, 10_000_000))
    .option('--env <KEY=VALUE>', 'quick task: environment variable (repeatable)', keyValue)
    .option('--label <KEY=VALUE>', 'quick task: label (repeatable)', keyValue)
    .option('--cwd <dir>', 'quick task: working directory')
    .option('--shell', 'quick task: run the words as one /bin/sh command line')
    .option('--idempotency-key <key>', 'quick task: a repeat with the same key returns the first task')
    .option('-w, --watch', 'follow it until it ends; exit 0 if it succeeded, 1 if not')
    .option('--dry-run', 'check and print the request; send nothing');
  addFollowOptions(cmd).action(async (command: string[], f: SubmitFlags, c: Command) => {
    const { io } = ctx;
    let parsed: ParsedSpec;
    if (f.file !== undefined) {
      if (command.length) throw new CliError('USAGE', `give either -f ${f.file} or a command, not both (got: ${command.join(' ')})`);
      const stray = QUICK_TASK_FLAGS.filter(([k]) => f[k] !== undefined).map(([, flag]) => flag);
      if (stray.length) throw new CliError('USAGE', `${stray.join(', ')} ${stray.length === 1 ? 'applies' : 'apply'} to a quick task only; put ${stray.length === 1 ? 'it' : 'them'} in ${f.file}`);
      parsed = await readSpec(f.file, f, ctx);
    } else {
      if (!command.length) throw new CliError('USAGE', 'nothing to submit: give -f <file> or a command after -- (kairos submit -- sh -c "echo hi")');
      if (f.workflow || f.task) throw new CliError('USAGE', `${f.workflow ? '--workflow' : '--task'} needs -f <file>`);
      parsed = { kind: 'task', spec: quickTaskSpec(command, f) };
    }
    const json = globalsOf(c).json;
    if (f.dryRun) {
      io.stdout.write(toJsonText({ kind: parsed.kind, request: parsed.spec }));
      return;
    }
    const client = clientOf(c, ctx);
    let id: string;
    if (parsed.kind === 'task') {
      const { task, created } = await client.submitTask(parsed.spec);
      id = task.id;
      if (!f.watch) {
        if (json) io.stdout.write(toJsonText(task));
        else io.stdout.write(`${task.id}\n`);
      }
      io.stderr.write(created ? `submitted task ${task.id} (${task.status})\n` : `task ${task.id} was submitted before with this idempotency key (${task.status})\n`);
    } else {
      const w = await client.submitWorkflow(parsed.spec);
      id = w.id;
      if (!f.watch) {
        if (json) io.stdout.write(toJsonText(w));
        else io.stdout.write(`${w.id}\n`);
      }
      io.stderr.write(`submitted workflow ${w.name} ${w.id} (${w.tasks.length} tasks)\n`);
    }
    if (!f.watch) {
      io.stderr.write(`follow it with: kairos watch ${id}\n`);
      return;
    }
    await followRun(parsed.kind, id, c, ctx, client, f);
  });
}
