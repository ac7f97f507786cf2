import { Argument, type Command } from 'commander';
import { intInRange, keyValue, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { SERVICES, type BuildMode, type ServiceName } from '../serve/service-entry';

interface ServeFlags {
  port?: number;
  host?: string;
  dataDir?: string;
  env?: Record<string, string>;
}

/** Where the CLI's files are and how it was started; main.ts knows, tests pass their own. */
export interface ServeLocation {
  root: string;
  mode: BuildMode;
  entryOf(service: ServiceName): string | null;
}

export function registerServe(program: Command, ctx: CliContext, where: ServeLocation): void {
  program
    .command('serve')
    .description('run a Kairos service in this process (from dist/ when the CLI runs from a build, else from source); configuration from the environment (README: Configuration) and these flags')
    .addArgument(new Argument('<service>', 'which service').choices(SERVICES))
    .option('--port <port>', 'HTTP port (PORT)', intInRange(0, 65535))
    .option('--host <host>', 'listen address (HOST)')
    .option('--data-dir <dir>', 'embedded database directory (DATA_DIR) when DATABASE_URL is unset')
    .option('--env <KEY=VALUE>', 'any other setting, e.g. --env EXECUTOR_ID=exec-1 (repeatable)', keyValue)
    .addHelpText('after', '\nExamples:\n  kairos serve standalone --port 3000\n  KAFKA_BROKERS=k1:9092 DATABASE_URL=postgres://… kairos serve executor --port 3003 --env EXECUTOR_ID=exec-1')
    .action(async (service: ServiceName, f: ServeFlags) => {
      const entry = where.entryOf(service);
      if (!entry) {
        const hint = where.mode === 'dist' ? 'run `npm run build` first' : 'is this a complete checkout?';
        throw new CliError('USAGE', `no ${service} entry point in ${where.root} (${where.mode}); ${hint}`);
      }
      const env: Record<string, string> = { ...(f.env ?? {}) };
      if (f.port !== undefined) env.PORT = String(f.port);
      if (f.host !== undefined) env.HOST = f.host;
      if (f.dataDir !== undefined) env.DATA_DIR = f.dataDir;
      await ctx.startService({ service, entry, env });
    });
}
