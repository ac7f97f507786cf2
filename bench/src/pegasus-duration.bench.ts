import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { execSync } from 'node:child_process';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseWfFormatText, type WfWorkflow } from '@kairos/scheduling-core';
import {
  DEFAULT_SEMANTIC_CONFIG,
  SemanticFeatureExtractor,
  TreeShapExplainer,
  gatherBuckets,
  hashTokens,
  outOfFoldSemanticFeatures,
  semanticFeatureNames,
  tokenizeTaskText,
  topFrequentBuckets,
  trainGbdt,
  type FeatureMatrix,
  type GbdtParams,
  type SemanticFeatureConfig,
  type TaskText,
  type TaskTokens,
} from '@kairos/ml';

// `kairos bench pegasus-duration`: do a task's words (name, category, program, arguments) help predict its run
// time on workflows the model has not seen? Numeric-only GBDT vs the same GBDT with semantic columns, split by
// workflow instance (leave one workflow out) and by workflow family (leave one family out: the hard regime).

/**
 * Group (a), numeric: what is known about a task when it becomes ready, without reading any text. Input file
 * sizes are known then (the parents have written them); output sizes, avgCPU, the machine and the run time
 * are measured after the run and are never inputs.
 */
export const NUMERIC_FEATURES = [
  'log_input_bytes',
  'log_max_input_bytes',
  'log_input_files',
  'log_output_files',
  'log_parents',
  'log_children',
  'dag_level',
  'dag_level_share',
  'log_level_width',
  'log_same_parent_set',
  'log_workflow_tasks',
  'workflow_mean_log_input_bytes',
  'input_bytes_vs_workflow',
] as const;

export interface PegasusTaskRow {
  readonly workflow: string;
  readonly family: string;
  readonly taskId: string;
  readonly category: string;
  readonly runtime: number;
  readonly numeric: Float64Array;
  /** Group (b) adds features from this text: name, category, command program and arguments. */
  readonly text: TaskText;
}

class PegasusBenchError extends Error {
  readonly code = 'PEGASUS_BENCH_ARGS';
}

/** Family of a WfCommons instance file: the name up to the first '-' ("montage-chameleon-2mass-…" → montage). */
export function familyOf(file: string): string {
  const b = basename(file).replace(/\.json$/, '');
  const i = b.indexOf('-');
  return i > 0 ? b.slice(0, i) : b;
}

const CommandSchema = z.object({ program: z.string().optional(), arguments: z.array(z.union([z.string(), z.number(), z.boolean()])).optional() }).passthrough();
const TaskCommandSchema = z.object({ id: z.string().optional(), name: z.string().optional(), command: CommandSchema.optional() }).passthrough();

/** Commands by task id from a WfFormat document (1.4: workflow.tasks; 1.5: workflow.execution.tasks), when present. */
export function commandsById(doc: unknown): Map<string, { program?: string; args: string[] }> {
  const out = new Map<string, { program?: string; args: string[] }>();
  const wf = z.object({ workflow: z.record(z.string(), z.unknown()) }).safeParse(doc);
  if (!wf.success) return out;
  const lists = [wf.data.workflow['tasks'], (wf.data.workflow['execution'] as { tasks?: unknown } | undefined)?.tasks];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const t of list) {
      const p = TaskCommandSchema.safeParse(t);
      if (!p.success || p.data.command === undefined) continue;
      const id = p.data.id ?? p.data.name;
      if (id === undefined) continue;
      out.set(id, { program: p.data.command.program, args: (p.data.command.arguments ?? []).map(String) });
    }
  }
  return out;
}

/** One row per task: numeric features (group a), text (group b) and the measured run time (the target). */
export function pegasusTaskRows(wf: WfWorkflow, doc: unknown, file: string): PegasusTaskRow[] {
  const commands = commandsById(doc);
  const { dag } = wf;
  const n = wf.tasks.length;
  const level = new Array<number>(n).fill(0);
  for (const v of dag.topo) for (const p of dag.preds[v]) level[v] = Math.max(level[v], level[p] + 1);
  const maxLevel = Math.max(0, ...level);
  const width = new Map<number, number>();
  for (const l of level) width.set(l, (width.get(l) ?? 0) + 1);
  const parentSet = dag.preds.map((ps) => [...ps].sort((a, b) => a - b).join(','));
  const sameParents = new Map<string, number>();
  for (const k of parentSet) sameParents.set(k, (sameParents.get(k) ?? 0) + 1);
  const inputBytes = wf.tasks.map((t) => t.files.filter((f) => f.link === 'input').reduce((a, f) => a + f.sizeInBytes, 0));
  const logInputs = inputBytes.map((b) => Math.log1p(b));
  const meanLogInput = n > 0 ? logInputs.reduce((a, b) => a + b, 0) / n : 0;
  const family = familyOf(file);
  const workflow = basename(file).replace(/\.json$/, '');
  return wf.tasks.map((t, i) => {
    const v = dag.indexOf.get(t.id) as number;
    const inputs = t.files.filter((f) => f.link === 'input');
    const outputs = t.files.filter((f) => f.link === 'output');
    const numeric = Float64Array.from([
      logInputs[i],
      Math.log1p(inputs.reduce((a, f) => Math.max(a, f.sizeInBytes), 0)),
      Math.log1p(inputs.length),
      Math.log1p(outputs.length),
      Math.log1p(dag.preds[v].length),
      Math.log1p(dag.succs[v].length),
      level[v],
      maxLevel > 0 ? level[v] / maxLevel : 0,
      Math.log1p(width.get(level[v]) ?? 0),
      Math.log1p(sameParents.get(parentSet[v]) ?? 0),
      Math.log1p(n),
      meanLogInput,
      logInputs[i] - meanLogInput,
    ]);
    const cmd = commands.get(t.id);
    return {
      workflow,
      family,
      taskId: t.id,
      category: t.category ?? '',
      runtime: t.runtimeInSeconds,
      numeric,
      text: { name: t.name, category: t.category, program: cmd?.program, args: cmd?.args ?? [] },
    };
  });
}

export type VariantName = 'numeric' | 'numeric+semantic' | 'numeric+target-view' | 'numeric+linear-view' | 'numeric+top32-buckets' | 'semantic-only';

/** Fixed before any run: the primary comparison is numeric vs numeric+semantic; the others say which part helps. */
export const VARIANTS: readonly VariantName[] = ['numeric', 'numeric+semantic', 'numeric+target-view', 'numeric+linear-view', 'numeric+top32-buckets', 'semantic-only'];

/** GBDT settings of the live duration model (DEFAULT_PLATFORM_TRAINING) with its central loss; not tuned here. */
const GBDT: Partial<GbdtParams> = { loss: 'huber', alpha: 0.5, huberQuantile: 0.9, nTrees: 120, learningRate: 0.1, maxDepth: 4, minLeaf: 5, maxBins: 32, subsample: 0.8 };
const TOP_BUCKETS = 32;

export interface WorkflowScore {
  readonly workflow: string;
  readonly family: string;
  readonly tasks: number;
  readonly meanRuntime: number;
  /** Mean absolute error in seconds. */
  readonly mae: number;
  /** Weighted absolute percentage error Σ|e| / Σ y: the relative figure, comparable across workflows. */
  readonly wape: number;
}

export interface SplitResult {
  readonly split: 'leave-one-workflow-out' | 'leave-one-family-out';
  readonly method: string;
  readonly seeds: readonly number[];
  /**
   * Per seed: pooled MAE over all test tasks (seconds), the median over workflows of WAPE, and the macro mean
   * of WAPE (dominated by the sub-second seismology and montage-2mass workflows, where WAPE explodes).
   */
  readonly perSeed: readonly { seed: number; pooledMae: number; medianWape: number; macroWape: number }[];
  readonly worstPooledMae: number;
  readonly spreadPooledMae: number;
  readonly worstMedianWape: number;
  readonly worstMacroWape: number;
  readonly spreadMacroWape: number;
  /** Per workflow, averaged over seeds. */
  readonly workflows: readonly WorkflowScore[];
}

function score(rows: readonly PegasusTaskRow[], idx: readonly number[], pred: Float64Array): WorkflowScore[] {
  const by = new Map<string, number[]>();
  idx.forEach((r, k) => {
    const w = rows[r].workflow;
    const list = by.get(w) ?? [];
    list.push(k);
    by.set(w, list);
  });
  return [...by.entries()].map(([workflow, ks]) => {
    let ae = 0;
    let sy = 0;
    for (const k of ks) {
      ae += Math.abs(pred[k] - rows[idx[k]].runtime);
      sy += rows[idx[k]].runtime;
    }
    return { workflow, family: rows[idx[ks[0]]].family, tasks: ks.length, meanRuntime: sy / ks.length, mae: ae / ks.length, wape: sy > 0 ? ae / sy : 0 };
  });
}

function median(xs: readonly number[]): number {
  const a = [...xs].sort((p, q) => p - q);
  if (a.length === 0) return 0;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

interface FoldInputs {
  readonly train: number[];
  readonly test: number[];
}

/** Semantic columns for a fold: out-of-fold by workflow instance on the training rows, fitted on all of them for the test rows. */
function semanticColumns(rows: readonly PegasusTaskRow[], tokens: readonly TaskTokens[], fold: FoldInputs, config: SemanticFeatureConfig): { train: Float64Array; test: Float64Array; width: number } {
  const y = fold.train.map((i) => Math.log1p(rows[i].runtime));
  const train = outOfFoldSemanticFeatures(
    fold.train.map((i) => tokens[i]),
    y,
    fold.train.map((i) => rows[i].workflow),
    config,
  );
  const extractor = new SemanticFeatureExtractor(config).fit(
    fold.train.map((i) => tokens[i]),
    y,
  );
  const width = extractor.width;
  const test = new Float64Array(fold.test.length * width);
  fold.test.forEach((i, k) => extractor.features(tokens[i], test.subarray(k * width, (k + 1) * width)));
  return { train, test, width };
}

function hstack(parts: ReadonlyArray<{ values: Float64Array; width: number }>, rows: number): FeatureMatrix {
  const cols = parts.reduce((a, p) => a + p.width, 0);
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let c = 0;
    for (const p of parts) {
      values.set(p.values.subarray(r * p.width, (r + 1) * p.width), r * cols + c);
      c += p.width;
    }
  }
  return { values, rows, cols };
}

function numericBlock(rows: readonly PegasusTaskRow[], idx: readonly number[]): { values: Float64Array; width: number } {
  const width = NUMERIC_FEATURES.length;
  const values = new Float64Array(idx.length * width);
  idx.forEach((r, k) => values.set(rows[r].numeric, k * width));
  return { values, width };
}

interface FoldMatrices {
  readonly names: string[];
  readonly train: FeatureMatrix;
  readonly test: FeatureMatrix;
}

function foldMatrices(variant: VariantName, rows: readonly PegasusTaskRow[], tokens: readonly TaskTokens[], fold: FoldInputs, cache: Map<string, { train: Float64Array; test: Float64Array; width: number }>): FoldMatrices {
  const num = { train: numericBlock(rows, fold.train), test: numericBlock(rows, fold.test) };
  // Both views are computed once per fold; a variant with one view takes its columns (the views are independent).
  const sem = (views: SemanticFeatureConfig['views']): { train: Float64Array; test: Float64Array; width: number } => {
    let all = cache.get('all');
    if (!all) {
      all = semanticColumns(rows, tokens, fold, DEFAULT_SEMANTIC_CONFIG);
      cache.set('all', all);
    }
    const names = semanticFeatureNames(DEFAULT_SEMANTIC_CONFIG);
    const keep = semanticFeatureNames({ ...DEFAULT_SEMANTIC_CONFIG, views }).map((n) => names.indexOf(n));
    if (keep.length === names.length) return all;
    const slice = (m: Float64Array): Float64Array => {
      const n = m.length / all.width;
      const out = new Float64Array(n * keep.length);
      for (let r = 0; r < n; r++) keep.forEach((c, k) => (out[r * keep.length + k] = m[r * all.width + c]));
      return out;
    };
    return { train: slice(all.train), test: slice(all.test), width: keep.length };
  };
  const numericNames = [...NUMERIC_FEATURES];
  const build = (extra: { train: Float64Array; test: Float64Array; width: number } | null, extraNames: string[], withNumeric = true): FoldMatrices => {
    const trainParts = [...(withNumeric ? [num.train] : []), ...(extra ? [{ values: extra.train, width: extra.width }] : [])];
    const testParts = [...(withNumeric ? [num.test] : []), ...(extra ? [{ values: extra.test, width: extra.width }] : [])];
    return { names: [...(withNumeric ? numericNames : []), ...extraNames], train: hstack(trainParts, fold.train.length), test: hstack(testParts, fold.test.length) };
  };
  switch (variant) {
    case 'numeric':
      return build(null, []);
    case 'numeric+semantic':
      return build(sem(['target', 'linear']), semanticFeatureNames({ ...DEFAULT_SEMANTIC_CONFIG, views: ['target', 'linear'] }));
    case 'numeric+target-view':
      return build(sem(['target']), semanticFeatureNames({ ...DEFAULT_SEMANTIC_CONFIG, views: ['target'] }));
    case 'numeric+linear-view':
      return build(sem(['linear']), semanticFeatureNames({ ...DEFAULT_SEMANTIC_CONFIG, views: ['linear'] }));
    case 'semantic-only':
      return build(sem(['target', 'linear']), semanticFeatureNames({ ...DEFAULT_SEMANTIC_CONFIG, views: ['target', 'linear'] }), false);
    case 'numeric+top32-buckets': {
      const hashed = (i: number) => hashTokens([...tokens[i].identifying, ...tokens[i].subword], DEFAULT_SEMANTIC_CONFIG.hashBits, DEFAULT_SEMANTIC_CONFIG.seed);
      const trainVecs = fold.train.map(hashed);
      const buckets = topFrequentBuckets(trainVecs, TOP_BUCKETS);
      const gather = (vecs: ReturnType<typeof hashed>[]): Float64Array => {
        const out = new Float64Array(vecs.length * buckets.length);
        vecs.forEach((v, k) => gatherBuckets(v, buckets, out.subarray(k * buckets.length, (k + 1) * buckets.length)));
        return out;
      };
      return build({ train: gather(trainVecs), test: gather(fold.test.map(hashed)), width: buckets.length }, Array.from(buckets, (b) => `bucket_${b}`));
    }
  }
}

export interface PegasusBenchResult {
  readonly benchmark: 'pegasus-duration';
  readonly date: string;
  readonly commit: string;
  readonly machine: { readonly cpus: number; readonly loadavgAtStart: readonly number[] };
  readonly files: readonly string[];
  readonly tasks: number;
  readonly numericFeatures: readonly string[];
  readonly semanticFeatures: readonly string[];
  readonly gbdt: Partial<GbdtParams>;
  readonly results: readonly SplitResult[];
  /** Share of mean |TreeSHAP| on the semantic columns of the numeric+semantic model, per split (seed 1, test rows). */
  readonly semanticAttributionShare: Readonly<Record<string, number>>;
  readonly seconds: number;
}

function runSplit(
  split: SplitResult['split'],
  rows: readonly PegasusTaskRow[],
  tokens: readonly TaskTokens[],
  seeds: readonly number[],
  log: (l: string) => void,
): { results: SplitResult[]; shapShare: number } {
  const keyOf = (r: PegasusTaskRow): string => (split === 'leave-one-workflow-out' ? r.workflow : r.family);
  const keys = [...new Set(rows.map(keyOf))].sort();
  const folds: FoldInputs[] = keys.map((k) => ({
    train: rows.flatMap((r, i) => (keyOf(r) === k ? [] : [i])),
    test: rows.flatMap((r, i) => (keyOf(r) === k ? [i] : [])),
  }));
  // 'program-token mean' is a diagnostic added after the first run (2026-11-29): the target view's program value
  // alone, expm1(smoothed mean log1p run time of the program token), with no GBDT.
  const methods = ['global median', 'same-category median', 'program-token mean', ...VARIANTS];
  const scores = new Map<string, WorkflowScore[][]>(methods.map((m) => [m, seeds.map(() => [])]));
  let shapSem = 0;
  let shapAll = 0;
  folds.forEach((fold, fi) => {
    log(`${split}: fold ${fi + 1}/${folds.length} (${keys[fi]}): train ${fold.train.length}, test ${fold.test.length}`);
    const trainY = fold.train.map((i) => rows[i].runtime);
    const globalMedian = median(trainY);
    const byCategory = new Map<string, number[]>();
    for (const i of fold.train) {
      const list = byCategory.get(rows[i].category) ?? [];
      list.push(rows[i].runtime);
      byCategory.set(rows[i].category, list);
    }
    const catMedian = new Map([...byCategory.entries()].map(([c, ys]) => [c, median(ys)]));
    const gm = Float64Array.from(fold.test, () => globalMedian);
    const cm = Float64Array.from(fold.test, (i) => catMedian.get(rows[i].category) ?? globalMedian);
    const cache = new Map<string, { train: Float64Array; test: Float64Array; width: number }>();
    const programColumn = semanticFeatureNames(DEFAULT_SEMANTIC_CONFIG).findIndex((n) => n.endsWith('.te_program'));
    const semAll = foldMatrices('semantic-only', rows, tokens, fold, cache).test;
    const pm = Float64Array.from(fold.test, (_, k) => Math.max(0, Math.expm1(semAll.values[k * semAll.cols + programColumn])));
    seeds.forEach((_, si) => {
      scores.get('global median')?.[si].push(...score(rows, fold.test, gm));
      scores.get('same-category median')?.[si].push(...score(rows, fold.test, cm));
      scores.get('program-token mean')?.[si].push(...score(rows, fold.test, pm));
    });
    const y = Float64Array.from(fold.train, (i) => Math.log1p(rows[i].runtime));
    for (const variant of VARIANTS) {
      const m = foldMatrices(variant, rows, tokens, fold, cache);
      seeds.forEach((seed, si) => {
        const model = trainGbdt(m.train, y, { ...GBDT, seed });
        const raw = model.predict(m.test);
        const pred = raw.map((v) => Math.max(0, Math.expm1(v)));
        scores.get(variant)?.[si].push(...score(rows, fold.test, pred));
        if (variant === 'numeric+semantic' && si === 0) {
          const ex = TreeShapExplainer.forModel(model);
          const phi = new Float64Array(m.test.cols);
          for (let r = 0; r < m.test.rows; r++) {
            ex.contributionsInto(m.test.values.subarray(r * m.test.cols, (r + 1) * m.test.cols), phi);
            phi.forEach((v, j) => {
              shapAll += Math.abs(v);
              if (j >= NUMERIC_FEATURES.length) shapSem += Math.abs(v);
            });
          }
        }
      });
    }
  });
  const results = methods.map((method): SplitResult => {
    const perSeedScores = scores.get(method) as WorkflowScore[][];
    const learned = VARIANTS.includes(method as VariantName);
    const usedSeeds = learned ? seeds : [seeds[0]];
    const perSeed = usedSeeds.map((seed, si) => {
      const ws = perSeedScores[si];
      const totalAe = ws.reduce((a, w) => a + w.mae * w.tasks, 0);
      const totalN = ws.reduce((a, w) => a + w.tasks, 0);
      return { seed, pooledMae: totalAe / totalN, medianWape: median(ws.map((w) => w.wape)), macroWape: ws.reduce((a, w) => a + w.wape, 0) / ws.length };
    });
    const wapes = perSeed.map((s) => s.macroWape);
    const maes = perSeed.map((s) => s.pooledMae);
    const workflows = perSeedScores[0].map((w, k) => {
      const all = perSeedScores.slice(0, usedSeeds.length).map((s) => s[k]);
      return { ...w, mae: all.reduce((a, s) => a + s.mae, 0) / all.length, wape: all.reduce((a, s) => a + s.wape, 0) / all.length };
    });
    workflows.sort((a, b) => a.workflow.localeCompare(b.workflow));
    return {
      split,
      method,
      seeds: usedSeeds,
      perSeed,
      worstPooledMae: Math.max(...maes),
      spreadPooledMae: Math.max(...maes) - Math.min(...maes),
      worstMedianWape: Math.max(...perSeed.map((s) => s.medianWape)),
      worstMacroWape: Math.max(...wapes),
      spreadMacroWape: Math.max(...wapes) - Math.min(...wapes),
      workflows,
    };
  });
  return { results, shapShare: shapAll > 0 ? shapSem / shapAll : 0 };
}

function listFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new PegasusBenchError(`--data path not found: ${p}`);
    if (statSync(p).isDirectory()) {
      const files = readdirSync(p).filter((f) => f.endsWith('.json')).sort();
      if (files.length === 0) throw new PegasusBenchError(`--data ${p}: folder has no *.json WfFormat files`);
      out.push(...files.map((f) => join(p, f)));
    } else out.push(p);
  }
  return out;
}

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export function runPegasusDurationBench(opts: { data: string[]; seeds: string; json?: string }, out: (l: string) => void, log: (l: string) => void): PegasusBenchResult {
  const seeds = opts.seeds.split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s))) throw new PegasusBenchError(`--seeds must be a comma-separated list of integers, got "${opts.seeds}"`);
  const started = Date.now();
  const load = loadavg();
  const files = listFiles(opts.data);
  if (files.length < 2) throw new PegasusBenchError(`--data must name at least 2 workflow files (got ${files.length}): the split is by workflow`);
  const rows: PegasusTaskRow[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const wf = parseWfFormatText(text, f);
    rows.push(...pegasusTaskRows(wf, JSON.parse(text) as unknown, f));
  }
  const tokens = rows.map((r) => tokenizeTaskText(r.text, DEFAULT_SEMANTIC_CONFIG.tokenizer));
  log(`${files.length} workflows, ${rows.length} tasks, ${new Set(rows.map((r) => r.family)).size} families`);
  const results: SplitResult[] = [];
  const share: Record<string, number> = {};
  for (const split of ['leave-one-workflow-out', 'leave-one-family-out'] as const) {
    if (split === 'leave-one-family-out' && new Set(rows.map((r) => r.family)).size < 2) continue;
    const r = runSplit(split, rows, tokens, seeds, log);
    results.push(...r.results);
    share[split] = r.shapShare;
  }
  const result: PegasusBenchResult = {
    benchmark: 'pegasus-duration',
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: { cpus: cpus().length, loadavgAtStart: load.map((v) => Math.round(v * 100) / 100) },
    files: files.map((f) => basename(f)),
    tasks: rows.length,
    numericFeatures: [...NUMERIC_FEATURES],
    semanticFeatures: semanticFeatureNames(DEFAULT_SEMANTIC_CONFIG),
    gbdt: GBDT,
    results,
    semanticAttributionShare: share,
    seconds: (Date.now() - started) / 1000,
  };
  out(renderTables(result));
  if (opts.json) {
    writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${opts.json}`);
  }
  return result;
}

function pad(cells: string[][]): string {
  const width = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) => c.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join('  ')).join('\n');
}

/** Geometric mean over workflows of a.mae / b.mae (same workflow order). */
export function geoMeanRatio(a: Pick<SplitResult, 'workflows'>, b: Pick<SplitResult, 'workflows'>): number {
  let s = 0;
  let n = 0;
  a.workflows.forEach((w, k) => {
    const ref = b.workflows[k];
    if (ref.workflow !== w.workflow || !(w.mae > 0) || !(ref.mae > 0)) return;
    s += Math.log(w.mae / ref.mae);
    n++;
  });
  return n > 0 ? Math.exp(s / n) : Number.NaN;
}

export function renderTables(r: PegasusBenchResult): string {
  const lines: string[] = [
    `pegasus-duration  ${r.date}  commit ${r.commit}  ${r.machine.cpus} cpus, load ${r.machine.loadavgAtStart.join(' ')}  ${r.tasks} tasks in ${r.files.length} workflows  ${r.seconds.toFixed(0)} s`,
  ];
  for (const split of [...new Set(r.results.map((x) => x.split))]) {
    const rs = r.results.filter((x) => x.split === split);
    const numeric = rs.find((x) => x.method === 'numeric');
    const cat = rs.find((x) => x.method === 'same-category median');
    const seedList = rs.find((x) => x.seeds.length > 0 && x.method === 'numeric')?.seeds.join(',') ?? '';
    lines.push(
      '',
      `${split}: learned rows are the worst of seeds ${seedList} (spread = max − min); WAPE = Σ|err| / Σ runtime per workflow; geo-mean ratio = geometric mean over workflows of MAE ÷ the reference's MAE (seed means); semantic share of mean |SHAP| (numeric+semantic, seed ${seedList.split(',')[0]}) ${(100 * (r.semanticAttributionShare[split] ?? 0)).toFixed(1)} %`,
    );
    lines.push(
      pad([
        ['method', 'pooled MAE s', 'spread', 'median WAPE', 'macro WAPE', 'geo-mean ratio vs numeric', 'vs category median', 'MAE wins vs numeric'],
        ...rs.map((x) => [
          x.method,
          x.worstPooledMae.toFixed(1),
          x.spreadPooledMae.toFixed(1),
          x.worstMedianWape.toFixed(3),
          x.worstMacroWape.toFixed(3),
          numeric ? geoMeanRatio(x, numeric).toFixed(3) : '-',
          cat ? geoMeanRatio(x, cat).toFixed(3) : '-',
          numeric ? `${x.workflows.filter((w, k) => w.mae < numeric.workflows[k].mae).length}/${x.workflows.length}` : '-',
        ]),
      ]),
    );
    const sem = rs.find((x) => x.method === 'numeric+semantic');
    if (numeric && sem && cat) {
      lines.push('', `${split}, per workflow (seed mean): MAE s and WAPE`);
      lines.push(
        pad([
          ['workflow', 'tasks', 'mean s', 'cat-median MAE', 'WAPE', 'numeric MAE', 'WAPE', '+semantic MAE', 'WAPE', 'MAE ratio'],
          ...numeric.workflows.map((w, k) => {
            const s = sem.workflows[k];
            const c = cat.workflows[k];
            return [w.workflow, String(w.tasks), w.meanRuntime.toFixed(1), c.mae.toFixed(1), c.wape.toFixed(3), w.mae.toFixed(1), w.wape.toFixed(3), s.mae.toFixed(1), s.wape.toFixed(3), (s.wape / w.wape).toFixed(3)];
          }),
        ]),
      );
      const better = numeric.workflows.filter((w, k) => sem.workflows[k].mae < w.mae).length;
      const vsCat = cat.workflows.filter((w, k) => sem.workflows[k].mae < w.mae).length;
      lines.push(`numeric+semantic has the lower MAE on ${better} of ${numeric.workflows.length} workflows vs numeric, on ${vsCat} vs the same-category median`);
    }
  }
  return lines.join('\n');
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

export function register(bench: Command): void {
  bench
    .command('pegasus-duration')
    .description('semantic-feature ablation: Pegasus task run times from numeric features vs numeric + task words, split by workflow and by family')
    .option('--data <paths...>', 'WfFormat JSON files or folders of them', [join(repoRoot(), '..', 'shared', 'datasets', 'pegasus')])
    .option('--seeds <list>', 'GBDT training seeds (worst and spread are reported)', '1,2,3')
    .option('--json <file>', 'write all results as JSON')
    .action((opts: { data: string[]; seeds: string; json?: string }) => {
      runPegasusDurationBench(
        opts,
        (l) => process.stdout.write(`${l}\n`),
        (l) => process.stderr.write(`[pegasus-duration] ${l}\n`),
      );
    });
}
