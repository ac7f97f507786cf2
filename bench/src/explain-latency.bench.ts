import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Command } from 'commander';
import {
  DEFAULT_PLATFORM_TRAINING,
  DURATION_FEATURE_NAMES,
  TreeShapExplainer,
  explainPrediction,
  permutationImportance,
  seededRandom,
  trainGbdt,
  type FeatureMatrix,
  type GbdtParams,
} from '@kairos/ml';

// `kairos bench explain-latency`: how long one TreeSHAP explanation takes on duration-model-sized GBDTs
// (46 features), and what permutation importance costs at training time.

interface ModelCase {
  readonly label: string;
  readonly params: Partial<GbdtParams>;
}

/** The shapes in use: the live model (DEFAULT_PLATFORM_TRAINING) and `bench duration`'s p50 and p90 ensembles. */
const CASES: readonly ModelCase[] = [
  { label: 'platform p50 (120 trees, depth 4)', params: { ...DEFAULT_PLATFORM_TRAINING.gbdt, loss: 'huber', alpha: 0.5 } },
  { label: 'bench-duration p50 (150 trees, depth 6)', params: { nTrees: 150, maxDepth: 6, minLeaf: 20, maxBins: 64, loss: 'huber', alpha: 0.5, huberQuantile: 0.9 } },
  { label: 'bench-duration p90 (75 trees, depth 6)', params: { nTrees: 75, maxDepth: 6, minLeaf: 20, maxBins: 64, learningRate: 0.16, loss: 'quantile', alpha: 0.9 } },
];

/** Synthetic rows with the duration model's width and a target that uses many features with interactions. */
export function syntheticDurationData(rows: number, seed: number): { x: FeatureMatrix; y: Float64Array } {
  const cols = DURATION_FEATURE_NAMES.length;
  const random = seededRandom(seed);
  const values = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) values[i * cols + j] = j % 5 === 0 ? Math.floor(random() * 8) : random() * 10 - 1;
    const r = values.subarray(i * cols, (i + 1) * cols);
    let t = 0;
    for (let j = 0; j < cols; j += 3) t += Math.sin(r[j]) * (1 + (j % 7)) * 0.1;
    y[i] = Math.max(0, 3 + t + 0.3 * r[7] * (r[11] > 4 ? 1 : -0.5) + 0.5 * random());
  }
  return { x: { values, rows, cols }, y };
}

function medianOf(xs: number[]): number {
  const a = [...xs].sort((p, q) => p - q);
  return a[a.length >> 1];
}

export function runExplainLatency(opts: { rows: string; explain: string; json?: string }, out: (l: string) => void): Record<string, unknown> {
  const nTrain = Number(opts.rows);
  const nExplain = Number(opts.explain);
  if (!Number.isInteger(nTrain) || nTrain < 100) throw new Error(`--rows must be an integer ≥ 100, got "${opts.rows}"`);
  if (!Number.isInteger(nExplain) || nExplain < 10) throw new Error(`--explain must be an integer ≥ 10, got "${opts.explain}"`);
  const load = loadavg();
  const { x, y } = syntheticDurationData(nTrain + nExplain, 1);
  const cols = x.cols;
  const train: FeatureMatrix = { values: x.values.subarray(0, nTrain * cols), rows: nTrain, cols };
  const held: FeatureMatrix = { values: x.values.subarray(nTrain * cols), rows: nExplain, cols };
  const rows: Record<string, unknown>[] = [];
  out(`explain-latency  ${new Date().toISOString()}  ${cpus().length} cpus, load ${load.map((v) => v.toFixed(2)).join(' ')}  ${cols} features, ${nTrain} training rows, ${nExplain} explained rows; median of 3 runs`);
  out(['model', 'nodes', 'µs/explanation (φ only)', 'µs/explanation (top-8 record)', 'µs/prediction', 'max |Σφ − (f − E)|', 'permutation importance s (3 repeats)'].join(' | '));
  for (const c of CASES) {
    const model = trainGbdt(train, y.subarray(0, nTrain), { ...c.params, seed: 1 });
    const explainer = TreeShapExplainer.forModel(model);
    const phi = new Float64Array(cols);
    let worst = 0;
    const timeRuns = (body: () => void): number => {
      const runs: number[] = [];
      for (let r = 0; r < 3; r++) {
        const t0 = process.hrtime.bigint();
        body();
        runs.push(Number(process.hrtime.bigint() - t0) / 1e3 / nExplain);
      }
      return medianOf(runs);
    };
    const phiUs = timeRuns(() => {
      for (let i = 0; i < nExplain; i++) {
        const row = held.values.subarray(i * cols, (i + 1) * cols);
        explainer.contributionsInto(row, phi);
      }
    });
    for (let i = 0; i < nExplain; i++) {
      const row = held.values.subarray(i * cols, (i + 1) * cols);
      explainer.contributionsInto(row, phi);
      let s = 0;
      for (const v of phi) s += v;
      worst = Math.max(worst, Math.abs(s - (model.predictOne(row) - explainer.baseValue)));
    }
    const ref = { name: 'duration', version: 1, featureSchemaHash: '0'.repeat(64) };
    const at = new Date(0);
    const recordUs = timeRuns(() => {
      for (let i = 0; i < nExplain; i++) {
        explainPrediction(explainer, held.values.subarray(i * cols, (i + 1) * cols), { model: ref, target: 'duration_p50', outputSpace: 'log1p_seconds', featureNames: DURATION_FEATURE_NAMES, topK: 8, at });
      }
    });
    const predUs = timeRuns(() => {
      model.predict(held);
    });
    const t0 = Date.now();
    permutationImportance((m) => model.predict(m), held, y.subarray(nTrain), { repeats: 3, seed: 1 });
    const permS = (Date.now() - t0) / 1000;
    const row = { model: c.label, nodes: model.nodeCount, trees: model.treeCount, microsPerExplanation: phiUs, microsPerExplanationRecord: recordUs, microsPerPrediction: predUs, maxLocalAccuracyError: worst, permutationImportanceSeconds: permS };
    rows.push(row);
    out([c.label, String(model.nodeCount), phiUs.toFixed(1), recordUs.toFixed(1), predUs.toFixed(2), worst.toExponential(1), permS.toFixed(2)].join(' | '));
  }
  const result = { benchmark: 'explain-latency', date: new Date().toISOString(), machine: { cpus: cpus().length, loadavgAtStart: load }, features: cols, trainRows: nTrain, explainedRows: nExplain, results: rows };
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

export function register(bench: Command): void {
  bench
    .command('explain-latency')
    .description('TreeSHAP time per explanation on duration-sized GBDTs (46 features) and permutation-importance cost')
    .option('--rows <n>', 'synthetic training rows', '20000')
    .option('--explain <n>', 'rows explained (and permuted for importance)', '2000')
    .option('--json <file>', 'write results as JSON')
    .action((opts: { rows: string; explain: string; json?: string }) => {
      runExplainLatency(opts, (l) => process.stdout.write(`${l}\n`));
    });
}
