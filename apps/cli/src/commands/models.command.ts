import type { Command } from 'commander';
import type { ModelVersion } from '@kairos/client';
import { clientOf, globalsOf, numberInRange, positiveInt, type CliContext } from '../cli-context';
import { formatTable, orDash, shortTime, toJsonText } from '../output/table.format';

function metricsText(m: Readonly<Record<string, number>>): string {
  return Object.entries(m)
    .slice(0, 4)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`)
    .join(' ');
}

export function registerModels(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('the model registry: list, versions, train, deploy, roll back, accuracy, drift');
  const printVersion = (c: Command, v: ModelVersion, verb: string) => {
    if (globalsOf(c).json) return void ctx.io.stdout.write(toJsonText(v));
    ctx.io.stdout.write(`${verb} ${v.name} version ${v.version} (${v.stage})${Object.keys(v.metrics).length ? `: ${metricsText(v.metrics)}` : ''}\n`);
  };
  models
    .command('ls')
    .alias('list')
    .description('registered models with their production version')
    .action(async (_f: unknown, c: Command) => {
      const list = await clientOf(c, ctx).listModels();
      if (globalsOf(c).json) return void ctx.io.stdout.write(toJsonText(list));
      ctx.io.stdout.write(formatTable(['NAME', 'VERSIONS', 'PRODUCTION', 'METRICS'], list.map((m) => [m.name, String(m.versions), m.production ? `v${m.production.version}` : '-', m.production ? metricsText(m.production.metrics) : '-'])));
    });
  models
    .command('versions')
    .description('every version of a model with its stage and metrics, oldest first')
    .argument('<name>', 'model name (see kairos models ls)')
    .action(async (name: string, _f: unknown, c: Command) => {
      const v = await clientOf(c, ctx).modelVersions(name);
      if (globalsOf(c).json) return void ctx.io.stdout.write(toJsonText(v));
      ctx.io.stdout.write(formatTable(['VERSION', 'STAGE', 'CREATED', 'BY', 'METRICS'], v.versions.map((x) => [String(x.version), x.stage, shortTime(x.createdAt), orDash(x.createdBy), metricsText(x.metrics)])));
    });
  models
    .command('train')
    .description('train the duration model on platform history (registers a candidate version)')
    .option('--deploy', 'promote the new version to production right away')
    .option('--trees <n>', 'GBDT trees', positiveInt(2000))
    .option('--max-rows <n>', 'newest tasks to learn from', positiveInt(1_000_000))
    .option('--validation-fraction <f>', 'share held out for validation (0.05–0.5)', numberInRange(0.05, 0.5))
    .action(async (f: { deploy?: boolean; trees?: number; maxRows?: number; validationFraction?: number }, c: Command) => {
      const v = await clientOf(c, ctx).trainDurationModel({ deploy: f.deploy, trees: f.trees, maxRows: f.maxRows, validationFraction: f.validationFraction });
      printVersion(c, v, 'trained');
    });
  models
    .command('deploy')
    .description('promote a version to production through the deploy gate (it must beat production and the baseline); the previous production version is archived')
    .argument('<name>', 'model name')
    .argument('<version>', 'version number', positiveInt())
    .option('--force <reason>', 'deploy even though the gate refuses; the reason is kept in the stage history')
    .action(async (name: string, version: number, f: { force?: string }, c: Command) =>
      printVersion(c, await clientOf(c, ctx).deployModel(name, version, f.force !== undefined ? { reason: f.force } : undefined), f.force !== undefined ? 'deployed (gate overridden)' : 'deployed'),
    );
  models
    .command('rollback')
    .description('archive the production version and restore the one before it')
    .argument('<name>', 'model name')
    .action(async (name: string, _f: unknown, c: Command) => printVersion(c, await clientOf(c, ctx).rollbackModel(name), 'rolled back to'));
  for (const [sub, what] of [
    ['accuracy', 'live MAE / MAPE / p90 coverage per version'],
    ['drift', 'recent drift reports and their decisions'],
  ] as const) {
    models
      .command(sub)
      .description(`${what} (JSON)`)
      .argument('<name>', 'model name')
      .action(async (name: string, _f: unknown, c: Command) => {
        const client = clientOf(c, ctx);
        ctx.io.stdout.write(toJsonText(sub === 'accuracy' ? await client.modelAccuracy(name) : await client.modelDrift(name)));
      });
  }
}
