import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  createDetector,
  DETECTOR_KINDS,
  isDetectorKind,
  parseNabCsv,
  parseNabLabels,
  parseNabProfiles,
  rawScoreAtThreshold,
  scoreNabCorpus,
  NAB_DEFAULT_PROFILES,
  type DetectorConfig,
  type NabCostMatrix,
  type NabProfileScore,
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
  /** Pass each detector the file's min/max and probationary period, as NAB's harness does (default on). */
  inputRange?: boolean;
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
 * values and probationaryPeriod = min(floor(0.15 × rows), 750) (getProbationPeriod in nab/util.py). Standard NAB practice for all its detectors; the
 * value range is lookahead, which only detectors that read it (cad-ose) use.
 */
export function nabStreamInfo(values: readonly number[]): StreamInfo {
  let inputMin = Number.POSITIVE_INFINITY;
  let inputMax = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < inputMin) inputMin = v;
    if (v > inputMax) inputMax = v;
  }
  return { inputMin, inputMax, probationaryPeriod: Math.min(Math.floor(0.15 * values.length), 750) };
}

export function runNabBenchmark(opts: NabBenchOptions, log: (line: string) => void): NabDetectorResult[] {
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

  const results: NabDetectorResult[] = [];
  for (const kind of kinds) {
    const config = { ...(extra[kind] ?? {}), kind } as DetectorConfig;
    const started = Date.now();
    const scored = corpus.map((s, idx) => {
      const detector = createDetector(config, opts.inputRange === false ? {} : nabStreamInfo(s.values));
      const scores = new Float64Array(s.values.length);
      for (let i = 0; i < s.values.length; i++) scores[i] = detector.score(s.timestamps[i], s.values[i]);
      log(`  ${kind}: [${idx + 1}/${corpus.length}] ${s.name} (${s.values.length} rows)`);
      return { name: s.name, timestamps: s.timestamps, windows: s.windows, scores };
    });
    const seconds = (Date.now() - started) / 1000;
    const { rows, profiles: scores } = scoreNabCorpus(scored, profiles);
    const standard = scores.get('standard') ?? [...scores.values()][0];
    const cost = profiles.get('standard') ?? [...profiles.values()][0];
    const perSeries: Record<string, number> = {};
    rows.seriesNames.forEach((name, si) => {
      perSeries[name] = Math.round(rawScoreAtThreshold(rows, cost, standard.threshold, si) * 1000) / 1000;
    });
    results.push({ detector: kind, config, seconds, profiles: Object.fromEntries(scores), perSeries });
    log(`  ${kind}: done in ${seconds.toFixed(1)} s`);
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
  const widths = header.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k].length)));
  const fmt = (cells: string[]): string => cells.map((c, k) => c.padEnd(widths[k])).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

export function register(bench: Command): void {
  bench
    .command('nab')
    .description('run streaming anomaly detectors over a NAB-format corpus and score them (all profiles, threshold swept over the corpus)')
    .option('--data <dir>', 'NAB data folder with <category>/<name>.csv (default ../shared/datasets/nab/data)')
    .option('--labels <json>', 'combined_windows.json (default ../shared/datasets/nab/labels/combined_windows.json)')
    .option('--profiles <json>', 'profiles.json with cost matrices (default ../shared/datasets/nab/profiles.json)')
    .option('--detectors <list>', `comma-separated: ${DETECTOR_KINDS.join(', ')}; "artime" is the best (defaults reproduce docs/bench-nab.md)`, 'artime,ensemble,cad-ose,context,gaussian,relentropy,likelihood,iforest')
    .option('--options <json>', 'per-detector option overrides, e.g. {"context":{"horizon":300}}')
    .option('--filter <regex>', 'only series whose "category/name.csv" matches')
    .option('--json <file>', 'write full results as JSON')
    .option('--no-input-range', "do not give detectors the file's min/max and probationary period (NAB's harness does; cad-ose and artime read them)")
    .action((opts: NabBenchOptions) => {
      const results = runNabBenchmark(opts, (line) => process.stderr.write(`${line}\n`));
      process.stdout.write(`${formatNabTable(results)}\n`);
      if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ benchmark: 'nab', results }, null, 2)}\n`);
    });
}
