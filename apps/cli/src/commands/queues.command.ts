import { InvalidArgumentError, type Command } from 'commander';
import type { QueuePolicyUpdate } from '@kairos/client';
import { clientOf, globalsOf, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { formatTable, orDash, toJsonText } from '../output/table.format';

/** 'none' stays a word here: commander turns a parser's null into ''. */
function maxConcurrent(value: string): number | 'none' {
  if (value === 'none') return 'none';
  if (!/^\d+$/.test(value) || Number(value) > 100_000) throw new InvalidArgumentError('must be a whole number from 0 to 100000, or none to lift the limit');
  return Number(value);
}

interface PolicyFlags {
  policy?: string;
  placement?: string;
  maxConcurrent?: number | 'none';
}

export function registerQueues(program: Command, ctx: CliContext): void {
  program
    .command('queues')
    .description('queues with their ordering policy, placement, limits and queued/running counts')
    .action(async (_f: unknown, c: Command) => {
      const { io } = ctx;
      const q = await clientOf(c, ctx).listQueues();
      if (globalsOf(c).json) return void io.stdout.write(toJsonText(q));
      io.stdout.write(
        formatTable(
          ['QUEUE', 'POLICY', 'PLACEMENT', 'MAX', 'QUEUED', 'RUNNING'],
          q.queues.map((r) => [r.queue, r.policy ?? `${q.defaultPolicy ?? '-'} (default)`, orDash(r.placement), r.maxConcurrent === undefined || r.maxConcurrent === null ? '-' : String(r.maxConcurrent), orDash(r.queued), orDash(r.running)]),
        ),
      );
      if (q.policies.length) io.stdout.write(`\npolicies: ${q.policies.join(', ')}\nplacements: ${q.placements.join(', ')}\n`);
    });

  const policy = program.command('policy').description('change a queue’s ordering policy, placement or concurrency limit while the platform runs');
  policy
    .command('set')
    .description('set a queue’s policy, placement and/or max concurrently running tasks')
    .argument('<queue>', 'queue name')
    .option('--policy <name>', 'ordering policy (see `kairos queues` for the names)')
    .option('--placement <name>', 'placement strategy')
    .option('--max-concurrent <n|none>', 'at most this many tasks of the queue running at once; none lifts the limit', maxConcurrent)
    .action(async (queue: string, f: PolicyFlags, c: Command) => {
      const { io } = ctx;
      if (f.policy === undefined && f.placement === undefined && f.maxConcurrent === undefined) throw new CliError('USAGE', 'nothing to set: give --policy, --placement and/or --max-concurrent');
      const client = clientOf(c, ctx);
      const update: QueuePolicyUpdate = {
        ...(f.policy !== undefined ? { policy: f.policy } : {}),
        ...(f.placement !== undefined ? { placement: f.placement } : {}),
        ...(f.maxConcurrent !== undefined ? { maxConcurrent: f.maxConcurrent === 'none' ? null : f.maxConcurrent } : {}),
      };
      const result = await client.setQueuePolicy(queue, update);
      if (globalsOf(c).json) return void io.stdout.write(toJsonText(result));
      const said = [f.policy !== undefined ? `policy ${f.policy}` : null, f.placement !== undefined ? `placement ${f.placement}` : null, f.maxConcurrent !== undefined ? `max concurrent ${f.maxConcurrent === 'none' ? 'unlimited' : f.maxConcurrent}` : null].filter(Boolean);
      io.stdout.write(`queue ${queue}: ${said.join(', ')}\n`);
    });
}
