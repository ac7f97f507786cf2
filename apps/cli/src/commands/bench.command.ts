import type { Command } from 'commander';
import type { CliContext } from '../cli-context';

/**
 * `kairos bench <kind>`: the benchmarks of bench/ (the same registration `npm run bench` uses). Their
 * modules pull in tfjs, HiGHS and the simulators, so they load only when `bench` is the command.
 */
export function registerBench(program: Command, ctx: CliContext, load: boolean): void {
  const bench = program.command('bench').description('run a benchmark; each prints a table and writes JSON (kairos bench --help lists them)');
  if (load) ctx.registerBench(bench);
}
