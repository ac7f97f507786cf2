import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  DURATION_FEATURE_NAMES,
  DurationPredictor,
  FeatureMatrix,
  buildDurationDataset,
  parseAlibabaBatchTasks,
} from '@kairos/ml';

interface InferenceBenchOptions {
  trace: string;
  json?: string;
  trees: string;
  batch: string;
  seconds: string;
}

const DEFAULT_TRACE = path.join('..', 'shared', 'datasets', 'alibaba-2017', 'batch_task.csv');

function log(msg: string): void {
  process.stderr.write(`[inference] ${msg}\n`);
}

function positiveInt(name: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return v;
}

/**
 * Batched duration predictions per second (p50 + p90 per prediction, i.e. both ensembles) for the
 * GBDT predictor trained on the trace's training part, fed with real feature rows from the trace.
 */
export async function runInferenceBench(o: InferenceBenchOptions): Promise<Record<string, unknown>> {
  const nTrees = positiveInt('trees', o.trees);
  const batch = positiveInt('batch', o.batch);
  const seconds = Number(o.seconds);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got "${o.seconds}"`);
  if (!fs.existsSync(o.trace)) throw new Error(`trace file not found: ${o.trace}`);
  log(`reading ${o.trace}`);
  const ds = buildDurationDataset(parseAlibabaBatchTasks(fs.readFileSync(o.trace, 'utf8'), o.trace));
  const trainRows: number[] = [];
  for (let i = 0; i < ds.rows; i++) if (ds.isTrain[i]) trainRows.push(i);
  const train: FeatureMatrix = {
    values: Float64Array.from(trainRows.flatMap((r) => Array.from(ds.features.subarray(r * ds.cols, (r + 1) * ds.cols)))),
    rows: trainRows.length,
    cols: ds.cols,
  };
  log(`training GBDT (${nTrees} trees per quantile) on ${train.rows} rows`);
  const model = DurationPredictor.train(
    train,
    trainRows.map((r) => ds.durations[r]),
    { featureNames: DURATION_FEATURE_NAMES, central: { nTrees, loss: 'quantile', alpha: 0.5 }, upper: { nTrees } },
  );
  // Round-trip through the artifact bytes so we measure what a deployed replica would run.
  const deployed = DurationPredictor.fromBytes(model.toBytes());
  const rows = Math.min(batch, ds.rows);
  const x: FeatureMatrix = { values: ds.features.slice(0, rows * ds.cols), rows, cols: ds.cols };
  const p50 = new Float64Array(rows);
  const p90 = new Float64Array(rows);
  deployed.predictInto(x, p50, p90); // warm-up (JIT)
  const results: Array<{ api: string; batch: number; predictions: number; seconds: number; perSecond: number }> = [];
  const measure = (api: string, fn: () => void): void => {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < seconds) {
      fn();
      n += rows;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    }
    results.push({ api, batch: rows, predictions: n, seconds: elapsed, perSecond: n / elapsed });
    log(`${api}: ${Math.round(n / elapsed)} predictions/s`);
  };
  measure('predictInto (typed arrays)', () => deployed.predictInto(x, p50, p90));
  const objects = Array.from({ length: rows }, (_, i) => ds.features.subarray(i * ds.cols, (i + 1) * ds.cols));
  measure('predictBatch (feature rows → {p50, p90}[])', () => void deployed.predictBatch(objects));
  process.stdout.write(`model: GBDT ${deployed.toJSON().central.treeRoots.length} + ${deployed.toJSON().upper.treeRoots.length} trees, ${ds.cols} features, artifact ${model.toBytes().length} bytes\n`);
  process.stdout.write('api                                           batch   predictions/s\n');
  for (const r of results) process.stdout.write(`${r.api.padEnd(46)}${String(r.batch).padEnd(8)}${Math.round(r.perSecond)}\n`);
  const best = Math.max(...results.map((r) => r.perSecond));
  process.stdout.write(`target ≥ 100,000 predictions/s: ${best >= 100_000 ? 'met' : 'NOT met'} (${Math.round(best)})\n`);
  const result = { benchmark: 'inference', trace: o.trace, trees: nTrees, features: ds.cols, artifactBytes: model.toBytes().length, results, targetMet: best >= 100_000 };
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(result, null, 2));
  return result;
}

export function register(bench: Command): void {
  bench
    .command('inference')
    .description('batched duration predictions per second (GBDT p50 + p90)')
    .option('--trace <csv>', 'batch_task.csv used to train the model and supply feature rows', DEFAULT_TRACE)
    .option('--json <file>', 'write results as JSON')
    .option('--trees <n>', 'boosting rounds per quantile model', '150')
    .option('--batch <n>', 'predictions per batch', '10000')
    .option('--seconds <s>', 'measuring time per API', '3')
    .action(async (opts: InferenceBenchOptions) => {
      await runInferenceBench(opts);
    });
}
