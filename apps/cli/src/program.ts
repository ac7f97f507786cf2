import { Command, CommanderError, Option } from 'commander';
import { KairosClientError } from '@kairos/client';
import { parseDuration, type CliContext } from './cli-context';
import { CliError, EXIT_CODES, exitCodeOf, fromClientError } from './cli.errors';
import { registerBench } from './commands/bench.command';
import { registerKeys } from './commands/keys.command';
import { registerLogin } from './commands/login.command';
import { registerLogs } from './commands/logs.command';
import { registerLs } from './commands/ls.command';
import { registerModels } from './commands/models.command';
import { registerQueues } from './commands/queues.command';
import { registerRunCommands } from './commands/runs.command';
import { registerSchedules } from './commands/schedules.command';
import { registerServe, type ServeLocation } from './commands/serve.command';
import { registerSubmit } from './commands/submit.command';
import { registerTopics } from './commands/topics.command';
import { registerWatch } from './commands/watch.command';

const EXIT_HELP = `
Exit codes: 0 success; 1 the task or workflow failed; 2 bad usage or input (also a 400 from the server);
3 server unreachable or key refused; 4 refused otherwise (not found, conflict, server error); 5 --wait-timeout
elapsed; 130 interrupted. Connection: --url / KAIROS_URL / \`kairos login\` (default http://127.0.0.1:3000);
key: --key / KAIROS_KEY / \`kairos login --key-stdin\`.`;

/** The whole command tree. `loadBench` mounts the benchmarks (only when `bench` is being run). */
export function buildProgram(ctx: CliContext, where: ServeLocation, loadBench: boolean): Command {
  const { io } = ctx;
  const program = new Command('kairos')
    .description('Kairos command line: submit and follow tasks and workflows, manage queues, keys and models, run services')
    .version(ctx.version, '-V, --version')
    .option('--url <url>', 'server URL (default: KAIROS_URL, the saved login, or http://127.0.0.1:3000)')
    .option('--key <key>', 'API key (default: KAIROS_KEY or the saved login); prefer `kairos login --key-stdin`, a flag stays in shell history')
    .option('--json', 'machine-readable JSON on stdout')
    .addOption(new Option('--request-timeout <duration>', 'per HTTP request').argParser(parseDuration).default(10_000, '10s'))
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    .allowExcessArguments(false)
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    });
  registerLogin(program, ctx);
  registerSubmit(program, ctx);
  registerWatch(program, ctx);
  registerLogs(program, ctx);
  registerLs(program, ctx);
  registerRunCommands(program, ctx);
  registerQueues(program, ctx);
  registerSchedules(program, ctx);
  registerKeys(program, ctx);
  registerModels(program, ctx);
  registerBench(program, ctx, loadBench);
  registerServe(program, ctx, where);
  registerTopics(program, ctx);
  return program;
}

/** Parses and runs one command line; returns the exit code (never calls process.exit). */
export async function runCli(argv: readonly string[], ctx: CliContext, where: ServeLocation): Promise<number> {
  const dashes = argv.indexOf('--');
  const loadBench = (dashes < 0 ? argv : argv.slice(0, dashes)).includes('bench');
  const program = buildProgram(ctx, where, loadBench);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (err) {
    return reportError(err, ctx);
  }
}

function reportError(err: unknown, ctx: CliContext): number {
  const { io } = ctx;
  // Commander already printed its message (it names the flag or argument) and, on request, help.
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  let e: CliError;
  if (err instanceof CliError) e = err;
  else if (err instanceof KairosClientError) e = fromClientError(err, new URL(err.url).origin);
  else {
    io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (io.env.KAIROS_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT_CODES.server;
  }
  io.stderr.write(`error: ${e.message}\n`);
  if (e.hint) io.stderr.write(`${e.hint}\n`);
  return exitCodeOf(e.code);
}
