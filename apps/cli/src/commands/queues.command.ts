import { InvalidArgumentError, type Command } from 'commander';
import { KairosClientError, type QueuePolicyUpdate } from '@kairos/client';
import { clientOf, globalsOf, type CliContext } from '../cli-context';
import { CliError } from '../cli.errors';
import { formatTable, orDash, toJsonText } from '../output/table.format';

function maxConcurrent(value: string): number | null {
  if (value === 'none') return null;
  if (!/^\d+$/.test(value) || Number(value) > 100_000) throw new InvalidArgumentError('must be a whole number from 0 to 100000, or none to lift the limit');
  return Number(value);
}

interface PolicyFlags {
  policy?: string;
  placement?: string;
  maxConcurrent?: number | null;
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
        ...(f.maxConcurrent !== undefined ? { maxConcurrent: f.maxConcurrent } : {}),
      };
      const results: unknown[] = [];
      try {
        results.push(await client.setQueuePolicy(queue, update));
      } catch (err) {
        // Servers whose policy has no maxConcurrent field keep the limit as a throttle_queue repair,
        // which the executor applies; fall back to that rather than fail.
        if (!(err instanceof KairosClientError && err.status === 400 && f.maxConcurrent !== undefined && /maxConcurrent/.test(err.message))) throw err;
        if (f.policy !== undefined || f.placement !== undefined) {
          const { maxConcurrent: _limit, ...rest } = update;
          results.push(await client.setQueuePolicy(queue, rest));
        }
        const repair = await client.requestRepair({ action: { kind: 'throttle_queue', queue, maxConcurrent: f.maxConcurrent }, reason: `kairos policy set ${queue} --max-concurrent ${f.maxConcurrent ?? 'none'}` });
        results.push(repair);
        io.stderr.write(`this server keeps queue limits as a throttle_queue repair; requested as repair ${repair.actionId} (see GET /api/repairs)\n`);
      }
      if (globalsOf(c).json) return void io.stdout.write(toJsonText(results.length === 1 ? results[0] : results));
      const said = [f.policy !== undefined ? `policy ${f.policy}` : null, f.placement !== undefined ? `placement ${f.placement}` : null, f.maxConcurrent !== undefined ? `max concurrent ${f.maxConcurrent ?? 'unlimited'}` : null].filter(Boolean);
      io.stdout.write(`queue ${queue}: ${said.join(', ')}\n`);
    });
}
