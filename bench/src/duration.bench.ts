import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  DURATION_FEATURE_GROUPS,
  DURATION_FEATURE_NAMES,
  DURATION_MLP_FORMAT,
  DurationDataset,
  DurationFeatureGroup,
  DurationModelConfig,
  DurationPredictor,
  FeatureMatrix,
  HISTORY_STEP_COUNT,
  InMemoryModelStore,
  LstmDurationModel,
  MlpDurationModel,
  ModelRegistry,
  OnlineResidualCorrector,
  RollingConformalCalibrator,
  analyseTaskPatterns,
  buildDurationDataset,
  hasRealDuration,
  initTfBackend,
  parseAlibabaBatchTasks,
  pinballLoss,
  predictionMetrics,
  replayConformal,
  replayResidualCorrection,
  sampleIndices,
  seededRandom,
  SERVED_DURATION_MODEL,
  paramsForRows,
  durationModelFeatures,
  durationRowWeights,
  trainGbdt,
} from '@kairos/ml';
import { BaselineRow, PartMetrics, SeedSummary, bestOnValidation, checkTargets, chooseConformal, formatTable, strongestBaselines, summariseSeeds, ISSUE_16_TARGETS } from './duration-report';

interface DurationBenchOptions {
  trace: string;
  json?: string;
  trainFraction: string;
  validationFraction: string;
  trees: string;
  upperTrees: string;
  seeds: string;
  seed: string;
  mlp: boolean;
  mlpEpochs: string;
  lstm: boolean;
  lstmRows: string;
  lstmEpochs: string;
  ablation: boolean;
  patterns: boolean;
  dropGroups: string;
  weightPower: string;
}

/**
 * The model configuration a run measures: SERVED_DURATION_MODEL (what the analyzer trains and serves) unless
 * the options change it. With the default options it equals SERVED_DURATION_MODEL (a unit test pins it).
 */
export function benchModelConfig(o: Pick<DurationBenchOptions, 'trees' | 'upperTrees' | 'dropGroups' | 'weightPower'>): DurationModelConfig {
  const served = SERVED_DURATION_MODEL;
  const nTrees = positiveNumber('trees', o.trees, true);
  const upperTrees = positiveNumber('upper-trees', o.upperTrees, true);
  const weightPower = Number(o.weightPower);
  if (!Number.isFinite(weightPower) || weightPower < 0) throw new Error(`--weight-power must be a number ≥ 0, got "${o.weightPower}"`);
  const groupNames = Object.keys(DURATION_FEATURE_GROUPS);
  const dropped = o.dropGroups === 'none' ? [] : o.dropGroups.split(',').map((g) => g.trim()).filter((g) => g !== '');
  for (const g of dropped) if (!groupNames.includes(g)) throw new Error(`--drop-groups: unknown group "${g}" (groups: ${groupNames.join(', ')}, or none)`);
  // The upper ensemble keeps its learning rate × trees product when its tree count changes.
  const upperRate = ((served.upper.learningRate ?? 0.08) * (served.upper.nTrees ?? upperTrees)) / upperTrees;
  return {
    droppedGroups: dropped as DurationFeatureGroup[],
    central: { ...served.central, nTrees },
    upper: { ...served.upper, nTrees: upperTrees, learningRate: upperRate },
    centralWeightPower: weightPower,
  };
}

/** The command-line defaults: SERVED_DURATION_MODEL's settings. */
export const DURATION_BENCH_DEFAULTS = {
  trees: String(SERVED_DURATION_MODEL.central.nTrees),
  upperTrees: String(SERVED_DURATION_MODEL.upper.nTrees),
  dropGroups: SERVED_DURATION_MODEL.droppedGroups.length > 0 ? SERVED_DURATION_MODEL.droppedGroups.join(',') : 'none',
  weightPower: String(SERVED_DURATION_MODEL.centralWeightPower),
} as const;

const DEFAULT_TRACE = path.join('..', 'shared', 'datasets', 'alibaba-2017', 'batch_task.csv');

function log(msg: string): void {
  process.stderr.write(`[duration] ${msg}\n`);
}

function positiveNumber(name: string, raw: string, integer: boolean): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return v;
}

function pick(a: ArrayLike<number>, idx: Uint32Array): Float64Array {
  return Float64Array.from(idx, (i) => a[i]);
}

/** Rows `idx`, columns `cols` of the dataset's feature matrix. */
function matrix(ds: DurationDataset, idx: Uint32Array, cols: readonly number[]): FeatureMatrix {
  const c = cols.length;
  const values = new Float64Array(idx.length * c);
  for (let k = 0; k < idx.length; k++) {
    const off = idx[k] * ds.cols;
    for (let j = 0; j < c; j++) values[k * c + j] = ds.features[off + cols[j]];
  }
  return { values, rows: idx.length, cols: c };
}

function sequences(ds: DurationDataset, idx: Uint32Array): Float32Array {
  const step = ds.historyLength * HISTORY_STEP_COUNT;
  const out = new Float32Array(idx.length * step);
  idx.forEach((r, k) => out.set(ds.sequences.subarray(r * step, (r + 1) * step), k * step));
  return out;
}

const part = (y: Float64Array, p: Float64Array): PartMetrics => {
  const m = predictionMetrics(y, p);
  return { n: m.n, mae: m.mae, mape: m.mape };
};

/** One learned model's predictions on validation (fit on the fit part) and test (fit on the whole training part). */
interface Predictions {
  readonly val50: Float64Array;
  readonly val90: Float64Array;
  readonly test50: Float64Array;
  readonly test90: Float64Array;
}

interface ModelResult {
  readonly model: string;
  readonly note: string;
  readonly seeds: number[];
  readonly validationMae: SeedSummary;
  readonly testMae: SeedSummary;
  readonly testMape: SeedSummary;
  readonly runs: Predictions[];
}

function modelResult(model: string, note: string, seeds: number[], runs: Predictions[], yVal: Float64Array, yTest: Float64Array): ModelResult {
  return {
    model,
    note,
    seeds,
    runs,
    validationMae: summariseSeeds(runs.map((r) => predictionMetrics(yVal, r.val50).mae)),
    testMae: summariseSeeds(runs.map((r) => predictionMetrics(yTest, r.test50).mae)),
    testMape: summariseSeeds(runs.map((r) => predictionMetrics(yTest, r.test50).mape)),
  };
}

export async function runDurationBench(o: DurationBenchOptions): Promise<Record<string, unknown>> {
  const trainFraction = positiveNumber('train-fraction', o.trainFraction, false);
  const validationFraction = positiveNumber('validation-fraction', o.validationFraction, false);
  if (trainFraction >= 1) throw new Error(`--train-fraction must be < 1, got ${trainFraction}`);
  if (validationFraction >= 1) throw new Error(`--validation-fraction must be < 1, got ${validationFraction}`);
  const config = benchModelConfig(o);
  const nTrees = config.central.nTrees as number;
  const upperTrees = config.upper.nTrees as number;
  const nSeeds = positiveNumber('seeds', o.seeds, true);
  const seed0 = positiveNumber('seed', o.seed, true);
  const mlpEpochs = positiveNumber('mlp-epochs', o.mlpEpochs, true);
  const lstmRows = positiveNumber('lstm-rows', o.lstmRows, true);
  const lstmEpochs = positiveNumber('lstm-epochs', o.lstmEpochs, true);
  if (!fs.existsSync(o.trace)) throw new Error(`trace file not found: ${o.trace}`);
  const started = Date.now();
  const machine = { cpus: cpus().length, loadavgAtStart: loadavg().map((v) => Number(v.toFixed(2))), node: process.version, commit: gitCommit(), date: new Date().toISOString() };
  log(`reading ${o.trace}`);
  const tasks = parseAlibabaBatchTasks(fs.readFileSync(o.trace, 'utf8'), o.trace);
  const ds = buildDurationDataset(tasks, { trainFraction }, (n, total) => log(`features ${n}/${total}`));
  const trainIdx = Uint32Array.from({ length: ds.rows }, (_, i) => i).filter((i) => ds.isTrain[i] === 1);
  const testIdx = Uint32Array.from({ length: ds.rows }, (_, i) => i).filter((i) => ds.isTrain[i] === 0);
  if (trainIdx.length === 0 || testIdx.length === 0) throw new Error(`${o.trace}: split left ${trainIdx.length} train / ${testIdx.length} test rows with a real duration`);
  // Validation: the latest share of the training rows by arrival time. Everything is chosen there.
  const trainTimes = Array.from(trainIdx, (i) => ds.createTimes[i]).sort((a, b) => a - b);
  const valFrom = trainTimes[Math.floor(trainTimes.length * (1 - validationFraction))];
  const fitIdx = trainIdx.filter((i) => ds.createTimes[i] < valFrom);
  const valIdx = trainIdx.filter((i) => ds.createTimes[i] >= valFrom);
  const yVal = pick(ds.durations, valIdx);
  const yTest = pick(ds.durations, testIdx);
  log(`${tasks.length} tasks, ${ds.rows} with real durations: train ${trainIdx.length} (fit ${fitIdx.length} + validation ${valIdx.length}), test ${testIdx.length}`);

  // ---- Causal baselines -------------------------------------------------------------------------
  const baselineRows: BaselineRow[] = [];
  const addBaseline = (name: string, family: BaselineRow['family'], preds: Float64Array): void => {
    baselineRows.push({ name, family, validation: part(yVal, pick(preds, valIdx)), test: part(yTest, pick(preds, testIdx)) });
  };
  addBaseline('median, same shape', 'median-shape', ds.baselines.medianShape);
  addBaseline('median, same job (else same shape)', 'median-job', ds.baselines.medianJob);
  addBaseline('median, same shape, last 20', 'median-shape-recent', ds.baselines.medianShapeRecent);
  for (const [k, p] of ds.baselines.global) addBaseline(`MA-global k=${k}`, 'ma-global', p);
  for (const [k, p] of ds.baselines.similar) addBaseline(`MA-shape k=${k}`, 'ma-shape', p);
  const strong = strongestBaselines(baselineRows);
  const jobRowsWithSiblings = (idx: Uint32Array): number => idx.reduce((n, i) => n + (ds.baselines.medianJob[i] !== ds.baselines.medianShape[i] ? 1 : 0), 0);
  log(`strongest baseline on validation: ${strong.strongest.name} (${strong.strongest.validation.mae.toFixed(1)} s); test rows with a finished sibling at arrival: ${jobRowsWithSiblings(testIdx)}`);

  // ---- GBDT (pure TS): what the analyzer serves (SERVED_DURATION_MODEL unless options change it) ---------
  const groupNames = Object.keys(DURATION_FEATURE_GROUPS) as DurationFeatureGroup[];
  const dropped = config.droppedGroups;
  const featureNames = durationModelFeatures(config);
  const allCols = featureNames.map((n) => (DURATION_FEATURE_NAMES as readonly string[]).indexOf(n));
  const logY = (idx: Uint32Array): Float64Array => Float64Array.from(idx, (i) => Math.log1p(ds.durations[i]));
  const weightsOf = (rows: Uint32Array): Float64Array | undefined => durationRowWeights(config, pick(ds.baselines.medianShape, rows));
  const fitGbdt = (cols: readonly number[], seed: number, withUpper: boolean): Predictions => {
    const run = (trainRows: Uint32Array, evalRows: Uint32Array): [Float64Array, Float64Array] => {
      const x = matrix(ds, trainRows, cols);
      const xe = matrix(ds, evalRows, cols);
      const p50 = new Float64Array(evalRows.length);
      const p90 = new Float64Array(evalRows.length);
      if (withUpper) {
        // The served code path: DurationPredictor (log1p target, p50 ≥ 0, p90 ≥ p50).
        const names = cols.map((c) => DURATION_FEATURE_NAMES[c]);
        DurationPredictor.train(x, pick(ds.durations, trainRows), { featureNames: names, central: paramsForRows({ ...config.central, seed }, x.rows), upper: paramsForRows({ ...config.upper, seed }, x.rows), centralWeights: weightsOf(trainRows) }).predictInto(xe, p50, p90);
        return [p50, p90];
      }
      // Ablation: the central ensemble only, same settings.
      trainGbdt(x, logY(trainRows), paramsForRows({ ...config.central, seed }, x.rows), weightsOf(trainRows)).predictInto(xe, p50);
      for (let i = 0; i < p50.length; i++) p50[i] = Math.max(0, Math.expm1(p50[i]));
      return [p50, p90];
    };
    const [val50, val90] = run(fitIdx, valIdx);
    const [test50, test90] = run(trainIdx, testIdx);
    return { val50, val90, test50, test90 };
  };
  const seeds = Array.from({ length: nSeeds }, (_, k) => seed0 + k);
  let t0 = Date.now();
  const gbdtRuns = seeds.map((s) => {
    log(`GBDT seed ${s}: p50 ${nTrees} + p90 ${upperTrees} trees, fit → validation and train → test`);
    return fitGbdt(allCols, s, true);
  });
  const gbdtMs = Date.now() - t0;
  const models: ModelResult[] = [
    modelResult(
      'GBDT',
      `p50: ${nTrees} Huber-split trees with median leaves (${JSON.stringify(config.central)}), p90: ${upperTrees} pinball-0.9 trees (${JSON.stringify(config.upper)}); ${allCols.length} features${dropped.length > 0 ? ` (without ${dropped.join(', ')})` : ''}, log1p target, central row weights max(1, same-shape median)^${config.centralWeightPower}`,
      seeds,
      gbdtRuns,
      yVal,
      yTest,
    ),
  ];

  // Online update between retrainings: a residual correction from finished tasks (job, shape, cluster).
  const correct = (r: Predictions): Predictions => {
    const keysOf = (idx: Uint32Array): string[][] => Array.from(idx, (i) => [`job:${ds.jobIds[i]}`, `shape:${ds.shapeKeys[i]}`, 'all']);
    const replay = (idx: Uint32Array, p: Float64Array, y: Float64Array): Float64Array =>
      replayResidualCorrection(new OnlineResidualCorrector({ window: 20, minSamples: 3, shrink: 5 }), {
        createTimes: pick(ds.createTimes, idx),
        endTimes: pick(ds.endTimes, idx),
        predicted: p,
        actual: y,
        keys: keysOf(idx),
      });
    return { val50: replay(valIdx, r.val50, yVal), val90: r.val90, test50: replay(testIdx, r.test50, yTest), test90: r.test90 };
  };
  models.push(modelResult('GBDT + online residual correction', 'shrunken median log-residual of finished tasks (same job, else shape, else all; last 20, shrink 5), applied at arrival', seeds, gbdtRuns.map(correct), yVal, yTest));

  // ---- tfjs network over the same features, trained and served through the registry ------------------
  let backend: unknown = null;
  let served: Record<string, unknown> | null = null;
  if (o.mlp || o.lstm) {
    const choice = await initTfBackend();
    backend = choice;
    log(`tfjs backend: ${choice.name} (${choice.tried.map((t) => `${t.name}: ${t.ok ? 'ok' : t.error}`).join('; ')})`);
  }
  if (o.mlp) {
    t0 = Date.now();
    const mlpRuns: Predictions[] = [];
    const mlpEpochsChosen: number[] = [];
    for (const s of seeds) {
      log(`MLP seed ${s}: up to ${mlpEpochs} epochs on the fit part (epoch count chosen on validation), then train → test`);
      const xVal = matrix(ds, valIdx, allCols);
      const valByEpoch: number[] = [];
      const run = async (trainRows: Uint32Array, evalRows: Uint32Array, epochs: number, serveThroughRegistry: boolean): Promise<[Float64Array, Float64Array]> => {
        const onEpoch = serveThroughRegistry
          ? undefined
          : (e: number, loss: number, m: MlpDurationModel): void => {
              const p = new Float64Array(valIdx.length);
              m.predictInto(xVal, p, new Float64Array(valIdx.length));
              valByEpoch.push(predictionMetrics(yVal, p).mae);
              log(`  epoch ${e + 1}: loss ${loss.toFixed(4)}, validation MAE ${valByEpoch[e].toFixed(1)} s`);
            };
        const model = await MlpDurationModel.train(matrix(ds, trainRows, allCols), pick(ds.durations, trainRows), featureNames, { epochs, seed: s, onEpoch });
        let serving = model;
        if (serveThroughRegistry) {
          // What a replica serves: the artifact from the registry, checksummed, with its backend recorded.
          const registry = new ModelRegistry({ store: new InMemoryModelStore() });
          const bytes = await model.toBytes();
          const v = await registry.register({
            name: 'duration-mlp',
            artifact: bytes,
            artifactFormat: DURATION_MLP_FORMAT,
            metrics: { trainExamples: trainRows.length },
            trainingWindow: { from: new Date(0).toISOString(), to: new Date(0).toISOString() },
            features: featureNames,
            backend: model.trainedOn,
            createdBy: 'bench-duration',
          });
          serving = await MlpDurationModel.fromBytes((await registry.loadArtifact('duration-mlp', v.version, featureNames)).bytes);
          served = { seed: s, artifactBytes: bytes.byteLength, backend: v.backend, format: v.artifactFormat };
        }
        const p50 = new Float64Array(evalRows.length);
        const p90 = new Float64Array(evalRows.length);
        serving.predictInto(matrix(ds, evalRows, allCols), p50, p90);
        if (serving !== model) serving.dispose();
        model.dispose();
        return [p50, p90];
      };
      await run(fitIdx, valIdx, mlpEpochs, false);
      const bestEpochs = valByEpoch.reduce((b, v, k) => (v < valByEpoch[b] ? k : b), 0) + 1;
      mlpEpochsChosen.push(bestEpochs);
      // Validation predictions of the chosen epoch count (a fresh fit with the same seed and order).
      const [val50, val90] = await run(fitIdx, valIdx, bestEpochs, true);
      const [test50, test90] = await run(trainIdx, testIdx, bestEpochs, true);
      mlpRuns.push({ val50, val90, test50, test90 });
    }
    models.push(
      modelResult(
        'MLP (tfjs)',
        `dense 128-64 ReLU over the ${allCols.length} GBDT features (standardised, missing indicators), pinball p50 + p90, Adam 0.002, epochs chosen on validation per seed (${mlpEpochsChosen.join(', ')} of ≤ ${mlpEpochs}); predictions served from the registry artifact; ${Date.now() - t0} ms`,
        seeds,
        mlpRuns,
        yVal,
        yTest,
      ),
    );
  }
  if (o.lstm) {
    t0 = Date.now();
    const lstmRunsAll: Predictions[] = [];
    for (const s of seeds) {
      const run = async (trainRows: Uint32Array, evalRows: Uint32Array): Promise<[Float64Array, Float64Array]> => {
        const sub = sampleIndices(trainRows.length, lstmRows, seededRandom(s));
        const rows = Uint32Array.from(sub, (k) => trainRows[k]);
        const lstm = await LstmDurationModel.train(sequences(ds, rows), matrix(ds, rows, allCols).values, pick(ds.durations, rows), {
          historyLength: ds.historyLength,
          stepFeatures: HISTORY_STEP_COUNT,
          epochs: lstmEpochs,
          seed: s,
        });
        const r = lstm.predictArrays(sequences(ds, evalRows), matrix(ds, evalRows, allCols).values, evalRows.length);
        lstm.dispose();
        return [r.p50, r.p90];
      };
      const [val50, val90] = await run(fitIdx, valIdx);
      const [test50, test90] = await run(trainIdx, testIdx);
      lstmRunsAll.push({ val50, val90, test50, test90 });
    }
    models.push(modelResult('LSTM (tfjs)', `LSTM(32) over the last ${ds.historyLength} similar completions + the tabular features; ${lstmRows}-row subsample, ${lstmEpochs} epochs; ${Date.now() - t0} ms`, seeds, lstmRunsAll, yVal, yTest));
  }

  // ---- Choice on validation (mean over seeds), report worst-of-seeds on test ---------------------------
  const chosen = models.reduce((a, b) => (b.validationMae.mean < a.validationMae.mean ? b : a));

  // ---- Calibrated p90 for the chosen model: rolling conformal, settings chosen on validation ------------
  const conformalGrid = [
    { window: 500, step: 0 },
    { window: 1000, step: 0 },
    { window: 2000, step: 0 },
    { window: 5000, step: 0 },
    { window: 2000, step: 0.001 },
    { window: 2000, step: 0.005 },
  ];
  const calibrated = (idx: Uint32Array, raw: Float64Array, y: Float64Array, c: { window: number; step: number }): Float64Array =>
    replayConformal(new RollingConformalCalibrator({ coverage: 0.9, window: c.window, step: c.step, minSamples: 50 }), {
      createTimes: pick(ds.createTimes, idx),
      endTimes: pick(ds.endTimes, idx),
      rawUpper: raw,
      actual: y,
    });
  const coverage = (y: Float64Array, u: Float64Array): number => y.reduce((n, v, i) => n + (v <= u[i] ? 1 : 0), 0) / y.length;
  const gridScores = conformalGrid.map((c) => {
    // Validation score per setting: the mean over seeds (the same rule as the model choice).
    const cov = chosen.runs.map((r) => coverage(yVal, calibrated(valIdx, r.val90, yVal, c)));
    const pin = chosen.runs.map((r) => pinballLoss(yVal, calibrated(valIdx, r.val90, yVal, c), 0.9));
    return { ...c, coverage: cov.reduce((a, v) => a + v, 0) / cov.length, pinball: pin.reduce((a, v) => a + v, 0) / pin.length };
  });
  const conformal = chooseConformal(gridScores, ISSUE_16_TARGETS.coverageLow, ISSUE_16_TARGETS.coverageHigh);
  const shapeVal = pick(ds.baselines.upperShape, valIdx);
  const shapeTest = pick(ds.baselines.upperShape, testIdx);
  const rawVal = chosen.runs.map((r) => r.val90);
  const rawTest = chosen.runs.map((r) => r.test90);
  const calVal = chosen.runs.map((r) => calibrated(valIdx, r.val90, yVal, conformal));
  const calTest = chosen.runs.map((r) => calibrated(testIdx, r.test90, yTest, conformal));
  const quantileSummary = (vals: Float64Array[], y: Float64Array): { coverage: SeedSummary; pinball: SeedSummary } => ({
    coverage: summariseSeeds(vals.map((u) => coverage(y, u))),
    pinball: summariseSeeds(vals.map((u) => pinballLoss(y, u, 0.9))),
  });
  const upper = {
    shapeBaseline: { validation: quantileSummary([shapeVal], yVal), test: quantileSummary([shapeTest], yTest) },
    raw: { validation: quantileSummary(rawVal, yVal), test: quantileSummary(rawTest, yTest) },
    calibrated: { settings: conformal, grid: gridScores, validation: quantileSummary(calVal, yVal), test: quantileSummary(calTest, yTest) },
  };

  // ---- Ablation: one feature group removed at a time (seed 1 of the GBDT, same settings) --------------
  const ablation: Array<{ removed: string; features: number; validationMae: number; testMae: number }> = [];
  if (o.ablation) {
    const full = gbdtRuns[0];
    ablation.push({ removed: '(none: all groups)', features: allCols.length, validationMae: predictionMetrics(yVal, full.val50).mae, testMae: predictionMetrics(yTest, full.test50).mae });
    for (const g of groupNames.filter((n) => !dropped.includes(n))) {
      const drop = new Set<string>(DURATION_FEATURE_GROUPS[g]);
      const cols = allCols.filter((c) => !drop.has(DURATION_FEATURE_NAMES[c]));
      log(`ablation: without ${g} (${cols.length} features)`);
      const r = fitGbdt(cols, seeds[0], false);
      ablation.push({ removed: g, features: cols.length, validationMae: predictionMetrics(yVal, r.val50).mae, testMae: predictionMetrics(yTest, r.test50).mae });
    }
  }

  // ---- Report ------------------------------------------------------------------------------------------
  const f1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '-');
  const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '-');
  const pc = (v: number): string => `${(100 * v).toFixed(1)} %`;
  const ref = strong.strongest;
  const maShape = bestOnValidation(baselineRows.filter((b) => b.family === 'ma-shape'));
  const out: string[] = [];
  out.push(`trace ${o.trace}: ${ds.rows} tasks with a duration; train ${trainIdx.length} (fit ${fitIdx.length}, validation ${valIdx.length}), test ${testIdx.length}; ${new Date().toISOString()}, ${machine.cpus} cores, load ${machine.loadavgAtStart.join(' ')}, commit ${machine.commit}`);
  out.push(`baselines (causal: only tasks with end < arrival; chosen on validation: strongest = ${ref.name}, stronger median = ${strong.strongerMedian.name}, MA-global = ${strong.maGlobal.name}):`);
  out.push(
    formatTable([
      ['baseline', 'val MAE s', 'test MAE s', 'test MAPE', 'test / strongest'],
      ...baselineRows.map((b) => [b.name, f1(b.validation.mae), f1(b.test.mae), b.test.mape.toFixed(2), f3(b.test.mae / ref.test.mae)]),
    ]),
  );
  out.push(`models (${seeds.length} seed(s) ${seeds.join(', ')}; test figures worst / mean / spread over seeds; chosen on mean validation MAE):`);
  out.push(
    formatTable([
      ['model', 'val MAE s (mean)', 'test MAE s worst', 'mean', 'spread', 'test / strongest', 'test / stronger median', 'test / MA-global', 'test / MA-shape best'],
      ...models.map((m) => [
        m.model + (m === chosen ? ' (chosen)' : ''),
        f1(m.validationMae.mean),
        f1(m.testMae.worst),
        f1(m.testMae.mean),
        f1(m.testMae.spread),
        f3(m.testMae.worst / ref.test.mae),
        f3(m.testMae.worst / strong.strongerMedian.test.mae),
        f3(m.testMae.worst / strong.maGlobal.test.mae),
        f3(m.testMae.worst / maShape.test.mae),
      ]),
    ]),
  );
  out.push(`validation part, same ratios (models fit on the fit part): ${models.map((m) => `${m.model} ${f1(m.validationMae.worst)} s = ${f3(m.validationMae.worst / strong.strongerMedian.validation.mae)} × stronger median, ${f3(m.validationMae.worst / strong.maGlobal.validation.mae)} × MA-global`).join('; ')}`);
  out.push(`upper quantile (p90) of ${chosen.model}; conformal settings chosen on validation: window ${conformal.window}, ACI step ${conformal.step}:`);
  out.push(
    formatTable([
      ['p90', 'val coverage', 'val pinball s', 'test coverage (worst..best)', 'test pinball s worst', 'test pinball / shape p90'],
      ...(
        [
          ['same-shape empirical p90', upper.shapeBaseline],
          ['model p90 (raw)', upper.raw],
          ['model p90, rolling conformal', upper.calibrated],
        ] as const
      ).map(([name, u]) => [
        name,
        pc(u.validation.coverage.mean),
        f1(u.validation.pinball.mean),
        `${pc(Math.min(...u.test.coverage.perSeed))}..${pc(Math.max(...u.test.coverage.perSeed))}`,
        f1(u.test.pinball.worst),
        f3(u.test.pinball.worst / upper.shapeBaseline.test.pinball.worst),
      ]),
    ]),
  );
  if (ablation.length > 0) {
    out.push(`ablation (GBDT seed ${seeds[0]}, one feature group removed; + = worse without it):`);
    out.push(
      formatTable([
        ['removed group', 'features', 'val MAE s', 'Δ val', 'test MAE s', 'Δ test'],
        ...ablation.map((a) => [a.removed, String(a.features), f1(a.validationMae), f1(a.validationMae - ablation[0].validationMae), f1(a.testMae), f1(a.testMae - ablation[0].testMae)]),
      ]),
    );
  }
  const checks = checkTargets({
    maeWorst: chosen.testMae.worst,
    strongerMedianMae: strong.strongerMedian.test.mae,
    maGlobalMae: strong.maGlobal.test.mae,
    coverageWorst: Math.min(...upper.calibrated.test.coverage.perSeed),
    coverageBest: Math.max(...upper.calibrated.test.coverage.perSeed),
    pinballWorst: upper.calibrated.test.pinball.worst,
    shapeQuantilePinball: upper.shapeBaseline.test.pinball.worst,
  });
  out.push(`targets on the test part (${chosen.model}, worst of ${seeds.length} seed(s)):`);
  for (const c of checks) out.push(`  ${c.what}: ${f3(c.measured)} (target ${c.bound}) ${c.met ? 'met' : 'NOT met'}`);
  if (served) out.push(`tfjs MLP served through the registry: ${JSON.stringify(served)}`);
  process.stdout.write(out.join('\n') + '\n');

  // Task patterns (k-means, k by silhouette) over the same trace, for the docs and the analyzer API.
  let patterns: ReturnType<typeof analyseTaskPatterns> | null = null;
  if (o.patterns) {
    const profiles = tasks
      .filter((t) => hasRealDuration(t) && t.planCpu !== null && t.planMem !== null)
      .map((t) => ({ durationSeconds: t.endTime - t.createTime, cpuCores: (t.planCpu ?? 0) / 100, memFraction: t.planMem ?? 0, instances: t.instanceNum }));
    patterns = profiles.length > 10 ? analyseTaskPatterns(profiles, seededRandom(seed0)) : null;
    if (patterns) {
      process.stdout.write(`task patterns (k=${patterns.k} by silhouette ${patterns.silhouetteByK.map((s) => `${s.k}:${s.silhouette.toFixed(3)}`).join(' ')}):\n`);
      for (const p of patterns.patterns) process.stdout.write(`  ${p.description}\n`);
    }
  }
  const result = {
    benchmark: 'duration',
    machine,
    trace: o.trace,
    tasks: tasks.length,
    rowsWithDuration: ds.rows,
    trainJobs: ds.trainJobs,
    testJobs: ds.testJobs,
    splitTime: ds.splitTime,
    validationFrom: valFrom,
    rows: { fit: fitIdx.length, validation: valIdx.length, test: testIdx.length },
    droppedGroups: dropped,
    modelConfig: config,
    servedConfig: JSON.stringify(config) === JSON.stringify(SERVED_DURATION_MODEL),
    features: featureNames.length,
    testRowsWithFinishedSibling: jobRowsWithSiblings(testIdx),
    validationRowsWithFinishedSibling: jobRowsWithSiblings(valIdx),
    backend,
    baselines: baselineRows,
    strongestBaseline: strong.strongest.name,
    strongerMedianBaseline: strong.strongerMedian.name,
    maGlobalBaseline: strong.maGlobal.name,
    models: models.map(({ runs: _runs, ...m }) => m),
    chosen: chosen.model,
    upper,
    ablation,
    targets: checks,
    servedMlp: served,
    gbdtMs,
    patterns: patterns ? { k: patterns.k, silhouetteByK: patterns.silhouetteByK, patterns: patterns.patterns } : null,
    seconds: (Date.now() - started) / 1000,
  };
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(result, null, 2));
  return result;
}

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export function register(bench: Command): void {
  bench
    .command('duration')
    .description('duration prediction on the Alibaba 2017 batch-task trace: causal baselines vs GBDT vs tfjs networks, calibrated p90, ablation')
    .option('--trace <csv>', 'batch_task.csv in the Alibaba 2017 format', DEFAULT_TRACE)
    .option('--json <file>', 'write results as JSON')
    .option('--train-fraction <f>', 'fraction of jobs (by first arrival) used for training', '0.7')
    .option('--validation-fraction <f>', 'latest share of the training rows (by arrival) used for validation', '0.15')
    .option('--trees <n>', 'boosting rounds of the p50 GBDT (default: the served model)', DURATION_BENCH_DEFAULTS.trees)
    .option('--upper-trees <n>', 'boosting rounds of the p90 GBDT (the served learning rate × trees product is kept)', DURATION_BENCH_DEFAULTS.upperTrees)
    .option('--seeds <n>', 'training seeds per learned model (worst and spread reported)', '3')
    .option('--seed <n>', 'first seed', '1')
    .option('--no-mlp', 'skip the tfjs MLP')
    .option('--mlp-epochs <n>', 'most MLP epochs (the count is chosen on validation)', '16')
    .option('--lstm', 'also train the tfjs LSTM (slow)')
    .option('--lstm-rows <n>', 'training subsample for the LSTM', '8000')
    .option('--lstm-epochs <n>', 'LSTM epochs', '4')
    .option('--no-ablation', 'skip the feature-group ablation')
    .option('--no-patterns', 'skip the k-means task patterns')
    .option('--drop-groups <list>', `feature groups to leave out, comma-separated (${Object.keys(DURATION_FEATURE_GROUPS).join(', ')}), or none; default: the served model's`, DURATION_BENCH_DEFAULTS.dropGroups)
    .option('--weight-power <p>', "central row weights max(1, same-shape median s)^p (0 = unweighted); default: the served model's", DURATION_BENCH_DEFAULTS.weightPower)
    .action(async (opts: DurationBenchOptions) => {
      await runDurationBench(opts);
    });
}
