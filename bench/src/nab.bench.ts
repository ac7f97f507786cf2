import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  createDetector,
  DETECTOR_KINDS,
  isDetectorKind,
  nabOutOfFold,
  nabProbationRows,
  parseNabCsv,
  parseNabLabels,
  parseNabProfiles,
  rawScoreAtThreshold,
  scoreNabCorpus,
  NAB_DEFAULT_PROFILES,
  type DetectorConfig,
  type NabCostMatrix,
  type NabOutOfFoldReport,
  type NabProfileScore,
  type NabSeriesInput,
  type NabWindow,
  type StreamInfo,
} from '@kairos/ml';

interface NabBenchOptions {
  data?: string;
  labels?: string;
  profiles?: string;
  detectors: string;
  options?: string;
  filter?: string;
  json?: string;
  /** Pass each detector the file's min/max, as NAB's harness does (default on; `--no-input-range` = causal). */
  inputRange?: boolean;
  /** Tell each detector NAB's probationary period of the file (default on; `--no-probation` withholds it). */
  probation?: boolean;
  /** `--folds 2`: out-of-fold evaluation on the fixed split (BENCHMARKS.md), causal and harness. */
  folds?: string;
  /** Per-detector parameter grid for `--folds`: {"<detector>": {<option>: [values]}}. */
  grid?: string;
}

interface LoadedSeries {
  readonly name: string;
  readonly timestamps: number[];
  readonly values: number[];
  readonly windows: readonly NabWindow[];
}

export interface NabDetectorResult {
  readonly detector: string;
  readonly config: DetectorConfig;
  readonly seconds: number;
  readonly profiles: Record<string, NabProfileScore>;
  /** Raw standard-profile score per series at the corpus-wide standard threshold. */
  readonly perSeries: Record<string, number>;
}

class NabBenchError extends Error {
  readonly code = 'NAB_BENCH_ARGS';
}

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new NabBenchError(`${what} not found: ${path}`);
  return readFileSync(path, 'utf8');
}

/** Every data/<category>/<name>.csv under `dataDir`, keyed as in NAB's label file ("category/name.csv"). */
function listSeries(dataDir: string): string[] {
  if (!existsSync(dataDir)) throw new NabBenchError(`--data folder not found: ${dataDir}`);
  const out: string[] = [];
  for (const category of readdirSync(dataDir, { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const f of readdirSync(join(dataDir, category.name))) if (f.endsWith('.csv')) out.push(`${category.name}/${f}`);
  }
  if (out.length === 0) throw new NabBenchError(`--data ${dataDir}: no <category>/<name>.csv files`);
  return out.sort();
}

function loadCorpus(dataDir: string, labelsPath: string, filter: RegExp | undefined): LoadedSeries[] {
  const labels = parseNabLabels(readText(labelsPath, '--labels file'), labelsPath);
  return listSeries(dataDir)
    .filter((name) => !filter || filter.test(name))
    .map((name) => {
      const path = join(dataDir, name);
      const windows = labels.get(name);
      if (!windows) throw new NabBenchError(`${labelsPath}: no label entry for series "${name}" (found in ${dataDir})`);
      const { timestamps, values } = parseNabCsv(readFileSync(path, 'utf8'), path);
      return { name, timestamps, values, windows };
    });
}

function parseDetectorOptions(text: string | undefined): Record<string, Record<string, unknown>> {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new NabBenchError(`--options: not valid JSON: ${text}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new NabBenchError('--options: expected {"<detector>": {<option>: value}}');
  }
  return raw as Record<string, Record<string, unknown>>;
}

/**
 * What NAB's harness gives every detector (nab/detectors/base.py): the min and max of the whole file's
 * values and probationaryPeriod = min(floor(0.15 × rows), 750) (getProbationPeriod in nab/util.py).
 * Standard NAB practice for all its detectors; the value range is lookahead.
 */
export function nabStreamInfo(values: readonly number[]): StreamInfo {
  let inputMin = Number.POSITIVE_INFINITY;
  let inputMax = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < inputMin) inputMin = v;
    if (v > inputMax) inputMax = v;
  }
  return { inputMin, inputMax, probationaryPeriod: nabProbationRows(values.length) };
}

/**
 * How a detector is fed: `harness` as NAB's harness (file min/max and probationary period); `causal`
 * the path the analyzer runs for a metric without a known domain (nothing from the future: only the
 * probationary period, a fixed count whose rows NAB's scorer ignores anyway); `blind` nothing at all
 * (the detector falls back to its own probationary period, 750 rows for ARTime).
 */
export type NabFeedMode = 'harness' | 'causal' | 'blind';

export function nabFeedInfo(values: readonly number[], mode: NabFeedMode): StreamInfo {
  if (mode === 'harness') return nabStreamInfo(values);
  if (mode === 'causal') return { probationaryPeriod: nabProbationRows(values.length) };
  return {};
}

/**
 * The parameter grids `--folds` chooses from, per detector and feed, when `--grid` does not give one; a
 * detector or feed without a grid is one candidate (its options). ARTime, fed causally or blind: the
 * initial range padding and the margin added when the range widens, 4 × 3 = 12 candidates. Fed the
 * file's range (harness) those options have no effect, so the harness has the defaults alone.
 */
const ARTIME_RANGE_GRID = { rangePadding: [0, 0.5, 1, 2], widenMargin: [0, 0.1, 0.3] } as const;
export const NAB_FOLD_GRIDS: Readonly<Record<string, Partial<Record<NabFeedMode, Readonly<Record<string, readonly unknown[]>>>>>> = {
  artime: { causal: ARTIME_RANGE_GRID, blind: ARTIME_RANGE_GRID },
};

/** Every combination of the grid's values, in declaration order (the last option varies fastest). */
export function expandGrid(grid: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [option, values] of Object.entries(grid)) {
    if (!Array.isArray(values) || values.length === 0) throw new NabBenchError(`--grid: option "${option}" needs a non-empty list of values`);
    out = out.flatMap((partial) => values.map((v: unknown) => ({ ...partial, [option]: v })));
  }
  return out;
}

function parseGrids(text: string | undefined): Record<string, Record<string, readonly unknown[]>> {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new NabBenchError(`--grid: not valid JSON: ${text}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new NabBenchError('--grid: expected {"<detector>": {<option>: [values]}}');
  for (const [detector, grid] of Object.entries(raw)) {
    if (typeof grid !== 'object' || grid === null || Array.isArray(grid)) throw new NabBenchError(`--grid: "${detector}" must map options to lists of values`);
  }
  return raw as Record<string, Record<string, readonly unknown[]>>;
}

function gridLabel(point: Record<string, unknown>): string {
  const parts = Object.entries(point).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length > 0 ? parts.join(' ') : 'defaults';
}

interface LoadedBench {
  readonly corpus: LoadedSeries[];
  readonly profiles: ReadonlyMap<string, NabCostMatrix>;
  readonly kinds: string[];
  readonly extra: Record<string, Record<string, unknown>>;
}

function loadBench(opts: NabBenchOptions, log: (line: string) => void): LoadedBench {
  const nabDir = join(repoRoot(), '..', 'shared', 'datasets', 'nab');
  const dataDir = resolve(opts.data ?? join(nabDir, 'data'));
  const labelsPath = resolve(opts.labels ?? join(nabDir, 'labels', 'combined_windows.json'));
  const profilesPath = opts.profiles ? resolve(opts.profiles) : join(nabDir, 'profiles.json');
  const profiles: ReadonlyMap<string, NabCostMatrix> =
    opts.profiles || existsSync(profilesPath) ? parseNabProfiles(readText(profilesPath, '--profiles file'), profilesPath) : NAB_DEFAULT_PROFILES;
  const kinds = opts.detectors.split(',').map((d) => d.trim()).filter((d) => d !== '');
  for (const k of kinds) {
    if (!isDetectorKind(k)) throw new NabBenchError(`--detectors: unknown detector "${k}" (known: ${DETECTOR_KINDS.join(', ')})`);
  }
  const extra = parseDetectorOptions(opts.options);
  const corpus = loadCorpus(dataDir, labelsPath, opts.filter ? new RegExp(opts.filter) : undefined);
  if (corpus.length === 0) throw new NabBenchError(`--filter ${opts.filter}: matches no series`);
  log(`nab: ${corpus.length} series, ${corpus.reduce((n, s) => n + s.values.length, 0)} rows, ${corpus.reduce((n, s) => n + s.windows.length, 0)} windows`);
  return { corpus, profiles, kinds, extra };
}

/** Streams every series through a fresh detector; returns the scored series and the wall time. */
function scoreCorpus(corpus: readonly LoadedSeries[], config: DetectorConfig, mode: NabFeedMode): { series: NabSeriesInput[]; seconds: number } {
  const started = Date.now();
  const series = corpus.map((s) => {
    const detector = createDetector(config, nabFeedInfo(s.values, mode));
    const scores = new Float64Array(s.values.length);
    for (let i = 0; i < s.values.length; i++) scores[i] = detector.score(s.timestamps[i], s.values[i]);
    return { name: s.name, timestamps: s.timestamps, windows: s.windows, scores };
  });
  return { series, seconds: (Date.now() - started) / 1000 };
}

function feedMode(opts: NabBenchOptions): NabFeedMode {
  if (opts.inputRange !== false) {
    if (opts.probation === false) throw new NabBenchError('--no-probation needs --no-input-range (the harness always gives the probationary period)');
    return 'harness';
  }
  return opts.probation === false ? 'blind' : 'causal';
}

function inSample(kind: string, config: DetectorConfig, scored: { series: NabSeriesInput[]; seconds: number }, profiles: ReadonlyMap<string, NabCostMatrix>): NabDetectorResult {
  const { rows, profiles: scores } = scoreNabCorpus(scored.series, profiles);
  const standard = scores.get('standard') ?? [...scores.values()][0];
  const cost = profiles.get('standard') ?? [...profiles.values()][0];
  const perSeries: Record<string, number> = {};
  rows.seriesNames.forEach((name, si) => {
    perSeries[name] = Math.round(rawScoreAtThreshold(rows, cost, standard.threshold, si) * 1000) / 1000;
  });
  return { detector: kind, config, seconds: scored.seconds, profiles: Object.fromEntries(scores), perSeries };
}

export function runNabBenchmark(opts: NabBenchOptions, log: (line: string) => void): NabDetectorResult[] {
  const { corpus, profiles, kinds, extra } = loadBench(opts, log);
  const mode = feedMode(opts);
  const results: NabDetectorResult[] = [];
  for (const kind of kinds) {
    const config = { ...(extra[kind] ?? {}), kind } as DetectorConfig;
    const result = inSample(kind, config, scoreCorpus(corpus, config, mode), profiles);
    results.push(result);
    log(`  ${kind} (${mode}): done in ${result.seconds.toFixed(1)} s`);
  }
  return results;
}

/** One detector under one feed mode, evaluated out of fold. */
export interface NabFoldsResult {
  readonly detector: string;
  readonly mode: NabFeedMode;
  /** The grid's candidates (options merged over `--options`), in the order ties are broken. */
  readonly candidates: readonly { readonly label: string; readonly config: DetectorConfig }[];
  /** The detector with its options and no grid, θ swept over the whole corpus (NAB's in-sample figure). */
  readonly inSample: NabDetectorResult;
  readonly outOfFold: NabOutOfFoldReport;
  /** Wall time of every candidate's run, summed. */
  readonly seconds: number;
}

export function runNabFolds(opts: NabBenchOptions, log: (line: string) => void): NabFoldsResult[] {
  if (opts.folds !== '2') throw new NabBenchError(`--folds: only 2 is supported (the fixed split of BENCHMARKS.md), got "${opts.folds}"`);
  const { corpus, profiles, kinds, extra } = loadBench(opts, log);
  const given = parseGrids(opts.grid);
  for (const k of Object.keys(given)) {
    if (!isDetectorKind(k)) throw new NabBenchError(`--grid: unknown detector "${k}" (known: ${DETECTOR_KINDS.join(', ')})`);
  }
  const gridFor = (kind: string, mode: NabFeedMode): Readonly<Record<string, readonly unknown[]>> | undefined => given[kind] ?? NAB_FOLD_GRIDS[kind]?.[mode];
  const modes: NabFeedMode[] = opts.inputRange === false ? [feedMode(opts)] : ['causal', 'harness'];
  const results: NabFoldsResult[] = [];
  for (const kind of kinds) {
    const base = extra[kind] ?? {};
    for (const mode of modes) {
      const grid = gridFor(kind, mode);
      const points = grid ? expandGrid(grid) : [{}];
      const candidates = points.map((point) => ({ label: gridLabel(point), config: { ...base, ...point, kind } as DetectorConfig }));
      const config = { ...base, kind } as DetectorConfig;
      const plain = scoreCorpus(corpus, config, mode);
      const inSampleResult = inSample(kind, config, plain, profiles);
      log(`  ${kind} (${mode}) defaults: ${plain.seconds.toFixed(1)} s`);
      let seconds = grid ? 0 : plain.seconds;
      const scored = grid
        ? candidates.map((c, k) => {
            const run = scoreCorpus(corpus, c.config, mode);
            seconds += run.seconds;
            log(`  ${kind} (${mode}) [${k + 1}/${candidates.length}] ${c.label}: ${run.seconds.toFixed(1)} s`);
            return { label: c.label, series: run.series };
          })
        : [{ label: candidates[0].label, series: plain.series }];
      results.push({ detector: kind, mode, candidates, inSample: inSampleResult, outOfFold: nabOutOfFold(scored, profiles), seconds });
    }
  }
  return results;
}

export function formatNabTable(results: readonly NabDetectorResult[]): string {
  const profileNames = [...new Set(results.flatMap((r) => Object.keys(r.profiles)))];
  const header = ['detector', ...profileNames, 'θ(std)', 'TP/FN/FP(std)', 'seconds'];
  const lines = results.map((r) => {
    const std = r.profiles['standard'] ?? Object.values(r.profiles)[0];
    return [
      r.detector,
      ...profileNames.map((p) => (r.profiles[p] ? r.profiles[p].normalised.toFixed(1) : '-')),
      Number.isFinite(std.threshold) ? std.threshold.toFixed(4) : 'never',
      `${std.truePositives}/${std.falseNegatives}/${std.falsePositives}`,
      r.seconds.toFixed(1),
    ];
  });
  return textTable(header, lines);
}

function textTable(header: string[], lines: string[][]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k].length)));
  const fmt = (cells: string[]): string => cells.map((c, k) => c.padEnd(widths[k])).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

/**
 * The out-of-fold table: per detector and feed, NAB's in-sample figures, each fold's out-of-fold
 * standard score, the mean for every profile (the headline is the standard mean), and what each fold
 * chose; then, per grid, every candidate's standard scores with θ alone chosen out of fold.
 */
export function formatNabFoldsTable(results: readonly NabFoldsResult[]): string {
  const one = (x: number): string => x.toFixed(1);
  const header = ['detector', 'feed', 'grid', 'in-sample std/lowFP/lowFN', 'A→B std', 'B→A std', 'mean std', 'mean lowFP', 'mean lowFN', 'chosen on A (std)', 'chosen on B (std)', 'seconds'];
  const lines = results.map((r) => {
    const p = r.outOfFold.profiles;
    const std = p.get('standard') ?? [...p.values()][0];
    const mean = (name: string): string => {
      const x = p.get(name);
      return x ? one(x.mean) : '-';
    };
    const ins = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'].map((n) => (r.inSample.profiles[n] ? one(r.inSample.profiles[n].normalised) : '-')).join('/');
    const chosen = (k: 0 | 1): string => `${std.folds[k].label} θ=${std.folds[k].inFold.threshold.toFixed(4)}`;
    return [
      r.detector,
      r.mode,
      String(r.candidates.length),
      ins,
      one(std.folds[0].outOfFold.normalised),
      one(std.folds[1].outOfFold.normalised),
      one(std.mean),
      mean('reward_low_FP_rate'),
      mean('reward_low_FN_rate'),
      chosen(0),
      chosen(1),
      r.seconds.toFixed(1),
    ];
  });
  const parts = [textTable(header, lines)];
  for (const r of results) {
    if (r.candidates.length < 2) continue;
    const per = r.outOfFold.perCandidate.get('standard') ?? [...r.outOfFold.perCandidate.values()][0];
    parts.push(
      `\n${r.detector} (${r.mode}), standard, every candidate with θ alone chosen out of fold:\n` +
        textTable(
          ['candidate', 'in A', 'in B', 'A→B', 'B→A', 'mean'],
          per.map((c) => [c.label, one(c.inFold[0]), one(c.inFold[1]), one(c.outOfFold[0]), one(c.outOfFold[1]), one(c.mean)]),
        ),
    );
  }
  return parts.join('\n');
}

/** Date, machine and commit, printed above every table (BENCHMARKS.md). */
export function nabRunHeader(): { date: string; cpus: number; loadavg: number[]; commit: string } {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout: say so rather than fail the run
  }
  return { date: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg().map((x) => Math.round(x * 100) / 100), commit };
}

function foldsJson(r: NabFoldsResult): unknown {
  return {
    ...r,
    outOfFold: {
      foldA: r.outOfFold.foldA,
      foldB: r.outOfFold.foldB,
      profiles: Object.fromEntries(r.outOfFold.profiles),
      perCandidate: Object.fromEntries(r.outOfFold.perCandidate),
    },
  };
}



export function register(bench: Command): void {
  bench
    .command('nab')
    .description('run streaming anomaly detectors over a NAB-format corpus and score them (all profiles, threshold swept over the corpus, or out of fold with --folds 2)')
    .option('--data <dir>', 'NAB data folder with <category>/<name>.csv (default ../shared/datasets/nab/data)')
    .option('--labels <json>', 'combined_windows.json (default ../shared/datasets/nab/labels/combined_windows.json)')
    .option('--profiles <json>', 'profiles.json with cost matrices (default ../shared/datasets/nab/profiles.json)')
    .option('--detectors <list>', `comma-separated: ${DETECTOR_KINDS.join(', ')}; "artime" is the best (defaults reproduce docs/bench-nab.md)`, 'artime,ensemble,cad-ose,context,gaussian,relentropy,likelihood,iforest')
    .option('--options <json>', 'per-detector option overrides, e.g. {"context":{"horizon":300}}')
    .option('--filter <regex>', 'only series whose "category/name.csv" matches')
    .option('--json <file>', 'write full results as JSON')
    .option('--no-input-range', "causal: do not give detectors the file's min/max (NAB's harness does); the probationary period is still told")
    .option('--no-probation', 'with --no-input-range: do not tell the probationary period either (the detector uses its own, 750 rows for artime)')
    .option('--folds <n>', 'out-of-fold evaluation on the fixed 2-fold split (sorted by path, alternating): grid point and θ chosen on one fold, scored on the other; causal and harness unless --no-input-range')
    .option('--grid <json>', `with --folds: per-detector grid for every feed, e.g. {"artime":{"rangePadding":[0,1]}} (default, per feed: ${JSON.stringify(NAB_FOLD_GRIDS)})`)
    .action((opts: NabBenchOptions) => {
      const header = nabRunHeader();
      const line = `# ${header.date}  ${header.cpus} cores, load ${header.loadavg.join(' ')}  commit ${header.commit}\n`;
      if (opts.folds !== undefined) {
        const results = runNabFolds(opts, (l) => process.stderr.write(`${l}\n`));
        process.stdout.write(`${line}${formatNabFoldsTable(results)}\n`);
        if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ benchmark: 'nab-folds', ...header, results: results.map(foldsJson) }, null, 2)}\n`);
        return;
      }
      const results = runNabBenchmark(opts, (l) => process.stderr.write(`${l}\n`));
      process.stdout.write(`${line}${formatNabTable(results)}\n`);
      if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ benchmark: 'nab', ...header, results }, null, 2)}\n`);
    });
}
