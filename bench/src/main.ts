#!/usr/bin/env node
// `kairos bench <kind>`: one entry point for every benchmark. Each prints a table and writes JSON.
import { Command } from 'commander';
import { registerBenchCommands } from './commands';

const program = new Command('kairos');
program.description('Kairos command line');
const bench = program.command('bench').description('run a benchmark; each prints a table and writes JSON');
registerBenchCommands(bench);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
