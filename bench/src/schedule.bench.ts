// `kairos bench schedule`: replays a workload (Alibaba 2017 batch_task.csv or synthetic) through the
// ordering policies on the same cluster, split by time into a training and an evaluation part, and
// prints a table per part; `bench schedule-train` trains the learned policy on an earlier slice;
// `bench decision-latency` times pickNext + placement. Definitions: ../shared/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cpus, loadavg } from 'node:os';
import type { Command } from 'commander';
import {
  ALIBABA_MACHINE,
  BAD_ROW_REASONS,
  ClusterState,
  DEFAULT_LEARNED_WEIGHTS,
  DEFAULT_NOISE_SIGMA,
  DEFAULT_RETRY_POLICY,
  HistoryDurationEstimator,
  LearnedPolicy,
  NeuralPolicy,
  POLICY_NAMES,
  POLICY_WEIGHTS_FORMAT,
  SJF_ONLINE_GRID,
  SJF_WORK_GRID,
  SchedulingError,
  alibabaToTasks,
  capInstances,
  createPlacement,
  createPolicy,
  explainPlacement,
  observeHistory,
  offeredLoad,
  parseAlibabaBatchTasks,
  parsePolicyWeights,
  parseWindowSpec,
  realiseInstanceDurations,
  resolveWindow,
  resources,
  sampleJobs,
  seededRng,
  selectArrivalWindow,
  simulate,
  sizeCluster,
  splitByArrival,
  syntheticWorkload,
  trainLearnedWeights,
  tuneSjfOnline,
  tuneSjfWork,
  type AlibabaParseResult,
  type ArrivalWindow,
  type DurationPredictor,
  type LearnedWeights,
  type NodeSpec,
  type OfferedLoad,
  type OrderingPolicy,
  type PolicyWeights,
  type RealisedDurations,
  type Resources,
  type RetryPolicy,
  type SimMetrics,
  type SjfOnlineKnobs,
  type SjfWorkKnobs,
  type SjfWorkTuningStep,
  type Task,
  type TuningStep,
} from '@kairos/scheduling-core';

const DEFAULT_TRACE = 'alibaba2017:../shared/datasets/alibaba-2017/batch_task.csv';
/** The baselines with the learned policy's information, the oracle (labelled) and the learned policy. */
const DEFAULT_POLICIES = 'fifo,backfill,sjf,sjf-online,sjf-online-tuned,sjf-work,sjf-work-tuned,mlfq,packing,sjf-oracle,ai,rl';
const TUNED = 'sjf-online-tuned';
const WORK_TUNED = 'sjf-work-tuned';
const TUNED_NAMES: readonly string[] = [TUNED, WORK_TUNED];
/** Policies that are not "non-learned baselines with the same information". */
const NOT_BASELINES = new Set(['ai', 'rl', 'sjf-oracle']);
/** Learned policies: `ai`, `rl` and one `rl:<file>` row per --rl-weights file. */
const isLearned = (name: string): boolean => name === 'ai' || name === 'rl' || name.startsWith('rl:');
const isBaseline = (name: string): boolean => !NOT_BASELINES.has(name) && !isLearned(name);

export class BenchArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchArgError';
  }
}

export const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

export function intArg(name: string, v: string | undefined, def: number, min = 0): number {
  if (v === undefined) return def;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new BenchArgError(`--${name}: expected an integer ≥ ${min}, got "${v}"`);
  return x;
}

export function numArg(name: string, v: string | undefined, def: number, lo: number, hi: number): number {
  if (v === undefined) return def;
  const x = Number(v);
  if (!Number.isFinite(x) || x < lo || x > hi) throw new BenchArgError(`--${name}: expected a number in [${lo}, ${hi}], got "${v}"`);
  return x;
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new SchedulingError('TRACE_IO', `${file}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The whole trace as tasks (no window, sample or cap yet), and what the parser skipped. */
export interface Trace {
  readonly kind: 'alibaba2017' | 'synthetic';
  readonly label: string;
  readonly tasks: Task[];
  readonly machine: Resources;
  readonly parse?: Omit<AlibabaParseResult, 'rows'> & { readonly usableTasks: number };
}

/** `alibaba2017:<csv>` or `synthetic:<tasks>`. */
export function loadTrace(spec: string, o: { gang: boolean; seed: number; strict: boolean }): Trace {
  const i = spec.indexOf(':');
  const kind = i < 0 ? spec : spec.slice(0, i);
  const arg = i < 0 ? '' : spec.slice(i + 1);
  if (kind === 'alibaba2017') {
    if (!arg) throw new BenchArgError('--trace alibaba2017:<path to batch_task.csv>');
    const parsed = parseAlibabaBatchTasks(readText(arg), arg, { strict: o.strict });
    const tasks = alibabaToTasks(parsed.rows, { gang: o.gang });
    if (tasks.length === 0) throw new BenchArgError(`--trace ${spec}: no usable (Terminated) rows`);
    const { rows, ...rest } = parsed;
    void rows;
    return { kind, label: `alibaba2017 ${arg}`, tasks, machine: ALIBABA_MACHINE, parse: { ...rest, usableTasks: tasks.length } };
  }
  if (kind === 'synthetic') {
    const n = intArg('trace synthetic:<n>', arg || '2000', 2000, 1);
    const tasks = syntheticWorkload({ tasks: n, rng: seededRng(o.seed) }).map((t) => ({ ...t, gang: o.gang }));
    return { kind, label: `synthetic ${n} tasks seed ${o.seed}`, tasks, machine: resources({ cpuMillis: 16_000, memMb: 65_536, io: 200, net: 1000 }) };
  }
  throw new BenchArgError(`--trace: unknown kind "${kind}" (use alibaba2017:<csv> or synthetic:<n>)`);
}

function readJson(file: string, flag: string): unknown {
  try {
    return JSON.parse(readText(file));
  } catch (e) {
    if (e instanceof SchedulingError) throw e;
    throw new BenchArgError(`${flag} ${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

const isPolicyWeightsDocument = (raw: unknown): boolean => !!raw && typeof raw === 'object' && (raw as { format?: unknown }).format === POLICY_WEIGHTS_FORMAT;

/** `--weights`: the `ai` ranker's weights (learned-weights.json format) or the `rl` policy's (kairos.scheduling-policy). */
function loadWeights(file: string | undefined): { ai: LearnedWeights; rl?: PolicyWeights } {
  if (!file) return { ai: DEFAULT_LEARNED_WEIGHTS };
  const raw = readJson(file, '--weights');
  if (isPolicyWeightsDocument(raw)) return { ai: DEFAULT_LEARNED_WEIGHTS, rl: parsePolicyWeights(raw, file) };
  return { ai: loadAiWeights(raw, file) };
}

const RL_ABLATIONS = ['no-task-net', 'no-context-net', 'skip-only'] as const;
type RlAblation = (typeof RL_ABLATIONS)[number];

/** The network with its output layer zeroed: it adds nothing to the score. */
const silenced = (n: PolicyWeights['taskNet']): PolicyWeights['taskNet'] => ({
  layers: n.layers.map((l, i) => (i === n.layers.length - 1 ? { ...l, weights: l.weights.map(() => 0), bias: l.bias.map(() => 0) } : l)),
});

export function ablateRlWeights(w: PolicyWeights, a: RlAblation): PolicyWeights {
  const taskNet = a === 'no-task-net' || a === 'skip-only' ? silenced(w.taskNet) : w.taskNet;
  const contextNet = a === 'no-context-net' || a === 'skip-only' ? silenced(w.contextNet) : w.contextNet;
  return { ...w, taskNet, contextNet, version: `${w.version}-${a}` };
}

/**
 * `--rl-weights a.json,b.json`: one `rl:<file name>` row per file (e.g. one per training seed), and
 * with `--rl-ablate`, one `rl:<file name>-<ablation>` row per file and ablation.
 */
export function loadRlWeightFiles(list: string | undefined, ablate?: string): { name: string; file: string; weights: PolicyWeights; ablation?: RlAblation }[] {
  if (!list) return [];
  const ablations = (ablate ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const a of ablations) if (!(RL_ABLATIONS as readonly string[]).includes(a)) throw new BenchArgError(`--rl-ablate: unknown "${a}" (known: ${RL_ABLATIONS.join(', ')})`);
  const files = list.split(',').map((f) => f.trim()).filter(Boolean);
  const out = files.flatMap((file) => {
    const name = `rl:${basename(file).replace(/\.json$/, '')}`;
    const weights = parsePolicyWeights(readJson(file, '--rl-weights'), file);
    return [{ name, file, weights }, ...ablations.map((a) => ({ name: `${name}-${a}`, file, weights: ablateRlWeights(weights, a as RlAblation), ablation: a as RlAblation }))];
  });
  const names = new Set(out.map((x) => x.name));
  if (names.size !== out.length) throw new BenchArgError('--rl-weights: two files with the same name');
  return out;
}

function loadAiWeights(raw: unknown, file: string): LearnedWeights {
  const w = raw as Partial<LearnedWeights>;
  if (!raw || typeof raw !== 'object' || !Array.isArray(w.weights) || typeof w.agePerHour !== 'number' || typeof w.fitWeight !== 'number') {
    throw new BenchArgError(`--weights ${file}: not a learned-weights JSON (needs weights[], agePerHour, fitWeight)`);
  }
  return raw as LearnedWeights;
}

export interface Row extends SimMetrics {
  readonly wallSeconds: number;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const sec = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

export function formatTable(rows: readonly Row[], bottleneck: keyof Resources): string {
  const head = [
    'policy',
    'info',
    'wait/task mean s',
    'wait/task p95 s',
    'wait/inst mean s',
    'wait/inst p95 s',
    'JCT/job mean s',
    `util ${bottleneck} (arr.)`,
    `util ${bottleneck}`,
    'success',
    'failed/lost att.',
    'wall s',
  ];
  const body = rows.map((r) => [
    r.policy,
    r.policy === 'sjf-oracle' ? 'ORACLE' : r.information,
    sec(r.meanWaitPerTask),
    sec(r.p95WaitPerTask),
    sec(r.meanWaitPerInstance),
    sec(r.p95WaitPerInstance),
    sec(r.meanJobJct),
    pct(r.utilisationArrivalWindow[bottleneck]),
    pct(r.utilisation[bottleneck]),
    pct(r.successRate),
    `${Math.round(r.failedAttempts)}/${Math.round(r.lostAttempts)}`,
    r.wallSeconds.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** Horizontal bar chart of mean wait per task per policy. */
export function barChartSvg(rows: readonly Row[], title: string): string {
  const w = 760;
  const barH = 22;
  const left = 130;
  const top = 40;
  const max = Math.max(1, ...rows.map((r) => r.meanWaitPerTask));
  const h = top + rows.length * (barH + 8) + 30;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const bars = rows
    .map((r, i) => {
      const y = top + i * (barH + 8);
      const bw = Math.max(1, ((w - left - 200) * r.meanWaitPerTask) / max);
      const fill = isLearned(r.policy) ? '#d9480f' : r.policy === 'sjf-oracle' ? '#868e96' : '#4263eb';
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(r.policy)}</text><rect x="${left}" y="${y}" width="${bw.toFixed(1)}" height="${barH}" fill="${fill}"/><text x="${left + bw + 6}" y="${y + 15}" font-size="11">${sec(r.meanWaitPerTask)} s/task · ${sec(r.meanWaitPerInstance)} s/inst · ok ${pct(r.successRate)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif"><text x="10" y="22" font-size="14" font-weight="bold">${esc(title)}</text>${bars}<text x="10" y="${h - 8}" font-size="11">mean wait per task (seconds, lower is better)</text></svg>`;
}

/** Mean of the same policy's rows over seeds (numbers and resource vectors averaged field by field). */
export function meanRow(rows: readonly Row[]): Row {
  const first = rows[0];
  if (!first) throw new BenchArgError('meanRow of no rows');
  const avg = (pick: (r: Row) => number): number => rows.reduce((s, r) => s + pick(r), 0) / rows.length;
  const vec = (pick: (r: Row) => Resources): Resources =>
    resources(Object.fromEntries(Object.keys(first.utilisation).map((k) => [k, avg((r) => pick(r)[k as keyof Resources])])));
  const out: Record<string, unknown> = { ...first };
  for (const [k, v] of Object.entries(first)) if (typeof v === 'number') out[k] = avg((r) => (r as unknown as Record<string, number>)[k] ?? 0);
  out['utilisation'] = vec((r) => r.utilisation);
  out['utilisationArrivalWindow'] = vec((r) => r.utilisationArrivalWindow);
  return out as unknown as Row;
}

/**
 * Ratios of `who` to the best non-learned baseline (chosen on the mean rows), fifo and the oracle,
 * per task and per instance; with several seeds, the range of the per-seed ratios in brackets.
 */
export function ratioLines(rows: readonly Row[], who: readonly string[], bySeed: readonly (readonly Row[])[] = []): string[] {
  const by = new Map(rows.map((r) => [r.policy, r]));
  const baselines = rows.filter((r) => isBaseline(r.policy));
  const out: string[] = [];
  for (const metric of ['meanWaitPerTask', 'meanWaitPerInstance'] as const) {
    const best = baselines.slice().sort((a, b) => a[metric] - b[metric])[0];
    const label = metric === 'meanWaitPerTask' ? 'per task' : 'per instance';
    if (best) out.push(`best non-learned baseline ${label}: ${best.policy} ${sec(best[metric])} s`);
    for (const name of who) {
      const r = by.get(name);
      if (!r) continue;
      const ratio = (other: string | undefined): string => {
        const o = other ? by.get(other) : undefined;
        if (!o || !(o[metric] > 0)) return 'n/a';
        const per = bySeed.flatMap((seedRows) => {
          const a = seedRows.find((x) => x.policy === name);
          const b = seedRows.find((x) => x.policy === other);
          return a && b && b[metric] > 0 ? [a[metric] / b[metric]] : [];
        });
        const spread = per.length > 1 ? ` [${Math.min(...per).toFixed(3)}–${Math.max(...per).toFixed(3)}]` : '';
        return `${(r[metric] / o[metric]).toFixed(3)}${spread}`;
      };
      const parts = [
        best && best.policy !== name ? `÷ best non-learned (${best.policy}) ${ratio(best.policy)}` : best ? `is the best non-learned` : '',
        `÷ fifo ${ratio('fifo')}`,
        `÷ sjf-oracle ${ratio('sjf-oracle')}`,
      ].filter(Boolean);
      out.push(`  ${name} ${label}: ${parts.join('; ')}`);
    }
  }
  return out;
}

/**
 * Learned results over training seeds (../shared/BENCHMARKS.md: worst and spread over ≥ 3 seeds):
 * per metric, each `who` row's ratio to the best non-learned baseline (mean over evaluation seeds),
 * the worst of them with its ratio to sjf-oracle, and the spread.
 */
export function worstOfLines(rows: readonly Row[], who: readonly string[], bySeed: readonly (readonly Row[])[] = []): string[] {
  const learned = who.map((n) => rows.find((r) => r.policy === n)).filter((r): r is Row => !!r);
  if (learned.length < 2) return [];
  const baselines = rows.filter((r) => isBaseline(r.policy));
  const oracle = rows.find((r) => r.policy === 'sjf-oracle');
  const out: string[] = [];
  for (const metric of ['meanWaitPerTask', 'meanWaitPerInstance'] as const) {
    const best = baselines.slice().sort((a, b) => a[metric] - b[metric])[0];
    if (!best || !(best[metric] > 0)) continue;
    const ratios = learned.map((r) => ({ name: r.policy, ratio: r[metric] / best[metric], wait: r[metric] }));
    const worst = ratios.slice().sort((a, b) => b.ratio - a.ratio)[0] as { name: string; ratio: number; wait: number };
    const lo = Math.min(...ratios.map((r) => r.ratio));
    const perSeed = bySeed.flatMap((seedRows) => {
      const a = seedRows.find((x) => x.policy === worst.name);
      const b = seedRows.find((x) => x.policy === best.policy);
      return a && b && b[metric] > 0 ? [a[metric] / b[metric]] : [];
    });
    const seedRange = perSeed.length > 1 ? ` [evaluation seeds ${Math.min(...perSeed).toFixed(3)}–${Math.max(...perSeed).toFixed(3)}]` : '';
    const label = metric === 'meanWaitPerTask' ? 'per task' : 'per instance';
    out.push(
      `rl over ${learned.length} training seeds ${label}: worst ${worst.name} ${sec(worst.wait)} s = ${worst.ratio.toFixed(3)} × best non-learned (${best.policy})${seedRange}; ` +
        `spread over training seeds ${lo.toFixed(3)}–${worst.ratio.toFixed(3)}; worst ÷ sjf-oracle ${oracle && oracle[metric] > 0 ? (worst.wait / oracle[metric]).toFixed(3) : 'n/a'}`,
    );
  }
  return out;
}

interface ScheduleOpts {
  trace: string;
  policies: string;
  load: string;
  nodes?: string;
  noiseSigma: string;
  failures: string;
  maxAttempts: string;
  nodeFailures: string;
  maxInstancesPerTask: string;
  window?: string;
  sample?: string;
  trainFraction: string;
  tuneSeeds: string;
  evalSeeds: string;
  tunePasses: string;
  strict?: boolean;
  gang?: boolean;
  placement: string;
  seed: string;
  weights?: string;
  rlWeights?: string;
  rlAblate?: string;
  json?: string;
  svg?: string;
}

/** One part of the time split, ready to replay: its tasks, cluster and warmed predictor per seed. */
export interface Part {
  readonly name: 'train' | 'eval' | 'all';
  readonly tasks: Task[];
  readonly window: ArrivalWindow;
  readonly nodes: NodeSpec[];
  readonly offered: OfferedLoad;
  readonly durations: (seed: number) => RealisedDurations;
  readonly predictor: (seed: number) => DurationPredictor | undefined;
}

/** `n` machines whatever the load (to replay an old configuration or the live cluster); ρ as measured. */
function fixedCluster(tasks: readonly Task[], durations: RealisedDurations, n: number, machine: Resources): { nodes: NodeSpec[]; offered: OfferedLoad } {
  const nodes: NodeSpec[] = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, capacity: machine, labels: { pool: 'batch' } }));
  const capacity = resources(Object.fromEntries(Object.entries(machine).map(([k, v]) => [k, v * n])));
  return { nodes, offered: offeredLoad(tasks, durations, capacity) };
}

export function runMeta(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout: leave it unknown
  }
  return { date: new Date().toISOString(), commit, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100) };
}

/**
 * One replayable part: its cluster (sized for `load` on realised durations of `sizingSeed`, or
 * `fixedNodes` machines), realised durations per seed, and per seed a predictor warmed on every task
 * of `history` that had ended in the trace before the part's first arrival.
 */
export function makeReplayPart<N extends string>(o: {
  name: N;
  tasks: Task[];
  window: ArrivalWindow;
  history: readonly Task[];
  traceKind: Trace['kind'];
  machine: Resources;
  sigma: number;
  load: number;
  fixedNodes?: number;
  sizingSeed: number;
}): Omit<Part, 'name'> & { name: N } {
  const { tasks, sigma } = o;
  const durationsBySeed = new Map<number, RealisedDurations>();
  const durations = (s: number): RealisedDurations => {
    let d = durationsBySeed.get(s);
    if (!d) durationsBySeed.set(s, (d = realiseInstanceDurations(tasks, { sigma, seed: s })));
    return d;
  };
  const first = tasks.reduce((m, t) => Math.min(m, t.arrival), Infinity);
  const warmed = new Map<number, HistoryDurationEstimator>();
  const predictor = (s: number): DurationPredictor | undefined => {
    if (o.traceKind !== 'alibaba2017') return undefined;
    let p = warmed.get(s);
    if (!p) {
      p = new HistoryDurationEstimator();
      // Everything (sampled or not) that had ended in the trace before the part's first arrival.
      observeHistory(p, o.history, { sigma, seed: s }, first);
      warmed.set(s, p);
    }
    return p.clone();
  };
  const { nodes, offered } =
    o.fixedNodes === undefined ? sizeCluster(tasks, durations(o.sizingSeed), o.load, o.machine) : fixedCluster(tasks, durations(o.sizingSeed), o.fixedNodes, o.machine);
  return { name: o.name, tasks, window: o.window, nodes, offered, durations, predictor };
}

function runSchedule(o: ScheduleOpts): void {
  const meta = runMeta();
  const seed = intArg('seed', o.seed, 1);
  const load = numArg('load', o.load, 0.9, 0.01, 10);
  const fixedNodes = o.nodes === undefined ? undefined : intArg('nodes', o.nodes, 1, 1);
  const sigma = numArg('noise-sigma', o.noiseSigma, DEFAULT_NOISE_SIGMA, 0, 5);
  const failures = numArg('failures', o.failures, 0.05, 0, 0.99);
  const maxAttempts = intArg('max-attempts', o.maxAttempts, DEFAULT_RETRY_POLICY.maxAttempts, 1);
  const retry: RetryPolicy = DEFAULT_RETRY_POLICY.with({ maxAttempts });
  const nodeFailures = intArg('node-failures', o.nodeFailures, 0);
  const cap = intArg('max-instances-per-task', o.maxInstancesPerTask, 64);
  const trainFraction = numArg('train-fraction', o.trainFraction, 0.5, 0, 0.95);
  const tuneSeeds = intArg('tune-seeds', o.tuneSeeds, 3, 1);
  const evalSeeds = intArg('eval-seeds', o.evalSeeds, 3, 1);
  const tunePasses = intArg('tune-passes', o.tunePasses, 2, 1);
  const policies = o.policies.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of policies) {
    if (!TUNED_NAMES.includes(p) && !(POLICY_NAMES as readonly string[]).includes(p)) throw new BenchArgError(`--policies: unknown policy "${p}" (known: ${POLICY_NAMES.join(', ')}, ${TUNED_NAMES.join(', ')})`);
  }
  for (const t of TUNED_NAMES) if (policies.includes(t) && trainFraction === 0) throw new BenchArgError(`--policies ${t} is tuned on the training part: give --train-fraction > 0`);
  createPlacement(o.placement);
  let windowSpec;
  try {
    windowSpec = o.window ? parseWindowSpec(o.window) : undefined;
  } catch (e) {
    throw new BenchArgError(`--window: ${e instanceof Error ? e.message : String(e)}`);
  }
  const loaded = loadWeights(o.weights);
  const weights = loaded.ai;
  const rlFiles = loadRlWeightFiles(o.rlWeights, o.rlAblate);
  policies.push(...rlFiles.map((r) => r.name));
  const trace = loadTrace(o.trace, { gang: o.gang ?? false, seed, strict: o.strict ?? false });
  const sample = numArg('sample', o.sample, trace.kind === 'alibaba2017' ? 0.1 : 1, 0.0001, 1);
  // The capped trace is "the trace" for everyone: the history the predictor learns from and the replay.
  const capped = capInstances(trace.tasks, cap);
  const window = windowSpec ? resolveWindow(windowSpec, capped) : { start: -Infinity, end: Infinity };
  const replay = sampleJobs(selectArrivalWindow(capped, window), sample);
  if (replay.length < 2) throw new BenchArgError(`--window/--sample: only ${replay.length} task(s) left to replay`);

  const makePart = (name: Part['name'], tasks: Task[], w: ArrivalWindow): Part =>
    makeReplayPart({ name, tasks, window: w, history: capped, traceKind: trace.kind, machine: trace.machine, sigma, load, fixedNodes, sizingSeed: seed });

  const parts: Part[] = [];
  if (trainFraction > 0) {
    const s = splitByArrival(replay, trainFraction);
    parts.push(makePart('train', s.earlier, { start: window.start, end: s.splitAt }), makePart('eval', s.later, { start: s.splitAt, end: window.end }));
  } else parts.push(makePart('all', replay, window));

  const describe = (p: Part): string => {
    const inst = p.tasks.reduce((a, t) => a + t.instances, 0);
    const f = p.offered;
    return (
      `${p.name}: ${p.tasks.length} tasks, ${inst} instances, arrivals ${f.firstArrival.toFixed(0)}–${f.lastArrival.toFixed(0)} s; ${p.nodes.length} nodes × ` +
      `${trace.machine.cpuMillis / 1000} cores; offered load ρ = ${f.rho.toFixed(3)} (${f.bottleneck}, usual definition; old in-window figure ${f.inWindow.toFixed(3)})`
    );
  };
  const skippedLine = trace.parse
    ? `rows: ${trace.parse.dataLines} read, ${trace.parse.skippedTotal} malformed skipped` +
      (trace.parse.skippedTotal ? ` (${BAD_ROW_REASONS.filter((r) => trace.parse?.skipped[r]).map((r) => `${r} ${trace.parse?.skipped[r]}`).join(', ')})` : '') +
      `, ${trace.parse.usableTasks} usable (Terminated) tasks`
    : '';
  const config =
    `σ = ${sigma} per-instance noise, failures ${failures}, ${retry.maxAttempts} attempts per instance (retry ${retry.initialDelayMs} ms × ${retry.backoffFactor}^n ≤ ${retry.maxDelayMs} ms, ${retry.jitter} jitter), ` +
    `≤ ${cap || '∞'} instances per task, job sample ${sample}, window ${o.window ?? 'whole trace'}, placement ${o.placement}, seed ${seed}, ` +
    (fixedNodes === undefined ? `load asked ${load}` : `${fixedNodes} nodes fixed (--nodes; --load ignored)`);
  log(`${trace.label}; ${skippedLine}`);
  for (const ex of trace.parse?.examples ?? []) log(`  skipped ${ex.message}`);
  log(config);
  for (const p of parts) log(describe(p));

  const simConfig = (p: Part, s: number) => ({
    nodes: p.nodes,
    failureProbability: failures,
    retry,
    nodeFailures: nodeFailures > 0 ? { count: nodeFailures, downtimeSeconds: 600 } : undefined,
    seed: s,
    durations: p.durations(s),
    predictor: p.predictor(s),
  });
  const makePolicy = (name: string, tunedWeights: LearnedWeights | undefined): OrderingPolicy => {
    const placement = createPlacement(o.placement);
    if (name === TUNED) {
      if (!tunedWeights) throw new BenchArgError(`${TUNED}: not tuned`);
      return new LearnedPolicy({ placement, nodeCapacity: trace.machine, weights: tunedWeights, name: TUNED });
    }
    if (name === WORK_TUNED) {
      if (!workTuning) throw new BenchArgError(`${WORK_TUNED}: not tuned`);
      return new NeuralPolicy({ placement, nodeCapacity: trace.machine, weights: workTuning.weights, name: WORK_TUNED });
    }
    const rlFile = rlFiles.find((r) => r.name === name);
    if (rlFile) return new NeuralPolicy({ placement, nodeCapacity: trace.machine, weights: rlFile.weights, name });
    return createPolicy(name, { placement, rng: seededRng(seed + 17), nodeCapacity: trace.machine, learnedWeights: weights, policyWeights: loaded.rl });
  };

  // Tuning: sjf-online's knobs chosen on the training part only, over `tuneSeeds` seeds.
  let workTuning: { knobs: SjfWorkKnobs; weights: PolicyWeights; score: number; steps: SjfWorkTuningStep[]; wallSeconds: number } | undefined;
  let tuning: { knobs: SjfOnlineKnobs; weights: LearnedWeights; score: number; steps: TuningStep[]; wallSeconds: number } | undefined;
  const train = parts.find((p) => p.name === 'train');
  if (policies.includes(TUNED) && train) {
    const t0 = process.hrtime.bigint();
    const seeds = Array.from({ length: tuneSeeds }, (_, i) => seed + i);
    const res = tuneSjfOnline({
      seeds: tuneSeeds,
      passes: tunePasses,
      label: `sjf-online knobs tuned on the training part (arrivals < ${train.window.end.toFixed(0)} s), seeds ${seeds.join(',')}`,
      rollout: (w, si) => {
        const s = seeds[si] as number;
        const m = simulate(train.tasks, new LearnedPolicy({ placement: createPlacement(o.placement), nodeCapacity: trace.machine, weights: w, name: TUNED }), simConfig(train, s)).metrics;
        return { perTask: m.meanWaitPerTask, perInstance: m.meanWaitPerInstance };
      },
      onStep: (st, i, budget) =>
        log(`[tune ${i}/≤${budget}] ${Object.entries(st.knobs).map(([k, v]) => `${k}=${v}`).join(' ')} → score ${st.score.toFixed(4)} (train, ${tuneSeeds} seeds)`),
    });
    tuning = { ...res, wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9 };
    log(`tuned sjf-online: ${Object.entries(res.knobs).map(([k, v]) => `${k}=${v}`).join(' ')}; training score ${res.score.toFixed(4)} (1 = hand-set default)`);
  }
  // The same for sjf-work (Smith's rule by task work): its knobs on the training part only.
  if (policies.includes(WORK_TUNED) && train) {
    const t0 = process.hrtime.bigint();
    const seeds = Array.from({ length: tuneSeeds }, (_, i) => seed + i);
    const res = tuneSjfWork({
      seeds: tuneSeeds,
      passes: tunePasses,
      rollout: (w, si) => {
        const m = simulate(train.tasks, new NeuralPolicy({ placement: createPlacement(o.placement), nodeCapacity: trace.machine, weights: w, name: WORK_TUNED }), simConfig(train, seeds[si] as number)).metrics;
        return { perTask: m.meanWaitPerTask, perInstance: m.meanWaitPerInstance };
      },
      onStep: (st, i, budget) =>
        log(`[tune sjf-work ${i}/≤${budget}] ${Object.entries(st.knobs).map(([k, v]) => `${k}=${v}`).join(' ')} → score ${st.score.toFixed(4)} (train, ${tuneSeeds} seeds)`),
    });
    workTuning = { ...res, wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9 };
    log(`tuned sjf-work: ${Object.entries(res.knobs).map(([k, v]) => `${k}=${v}`).join(' ')}; training score ${res.score.toFixed(4)} (1 = hand-set sjf-work)`);
  }

  const results: { part: Part; rows: Row[]; bySeed: Row[][] }[] = [];
  const seedsToReport = Array.from({ length: evalSeeds }, (_, i) => seed + i);
  const total = parts.length * policies.length * evalSeeds;
  let k = 0;
  for (const part of parts) {
    const bySeed: Row[][] = [];
    for (const s of seedsToReport) {
      const rows: Row[] = [];
      for (const name of policies) {
        k++;
        const t0 = process.hrtime.bigint();
        const out = simulate(part.tasks, makePolicy(name, tuning?.weights), {
          ...simConfig(part, s),
          onProgress: (d, t) => log(`  [${part.name} ${k}/${total}] ${name} seed ${s}: ${d}/${t} instances done`),
        });
        const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
        rows.push({ ...out.metrics, wallSeconds });
        log(
          `[${part.name} ${k}/${total}] ${name} seed ${s}: wait/task ${sec(out.metrics.meanWaitPerTask)} s, wait/inst ${sec(out.metrics.meanWaitPerInstance)} s, success ${pct(out.metrics.successRate)} (${wallSeconds.toFixed(1)} s wall)`,
        );
      }
      bySeed.push(rows);
    }
    const rows = policies.map((_, i) => meanRow(bySeed.map((r) => r[i] as Row)));
    results.push({ part, rows, bySeed });
  }

  const lines: string[] = [
    `bench schedule — ${String(meta['date'])}, commit ${String(meta['commit'])}, ${String(meta['cpus'])} cores, load average at start ${(meta['loadavgAtStart'] as number[]).join(' ')}`,
    `${trace.label}; ${skippedLine}`,
    config,
  ];
  if (tuning) lines.push(`${TUNED}: ${Object.entries(tuning.knobs).map(([k2, v]) => `${k2}=${v}`).join(' ')} (chosen on the training part; grid ${JSON.stringify(SJF_ONLINE_GRID)})`);
  if (workTuning) lines.push(`${WORK_TUNED}: ${Object.entries(workTuning.knobs).map(([k2, v]) => `${k2}=${v}`).join(' ')} (chosen on the training part; grid ${JSON.stringify(SJF_WORK_GRID)})`);
  const seedNote = evalSeeds > 1 ? ` — mean over seeds ${seedsToReport.join(', ')} (per-seed ratios in brackets)` : ` — seed ${seed}`;
  for (const { part, rows, bySeed } of results) {
    lines.push('', `${describe(part)}${seedNote}`, formatTable(rows, part.offered.bottleneck), ...ratioLines(rows, policies.filter((n) => (isLearned(n) && !rlFiles.some((r) => r.ablation && r.name === n)) || TUNED_NAMES.includes(n)), bySeed), ...worstOfLines(rows, rlFiles.filter((r) => !r.ablation).map((r) => r.name), bySeed));
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  if (o.json) {
    const json = {
      benchmark: 'schedule',
      ...meta,
      trace: trace.label,
      parse: trace.parse,
      machine: trace.machine,
      options: { load, nodes: fixedNodes ?? null, sigma, failures, retry: retry.toJSON(), nodeFailures, maxInstancesPerTask: cap, sample, window: o.window ?? null, trainFraction, placement: o.placement, seed, tuneSeeds, tunePasses, evalSeeds: seedsToReport },
      learnedWeights: weights,
      rlWeights: [...(loaded.rl ? [{ name: 'rl', file: o.weights, version: loaded.rl.version, training: loaded.rl.training }] : []), ...rlFiles.map((r) => ({ name: r.name, file: r.file, version: r.weights.version, training: r.weights.training }))],
      tuning: tuning && { grid: SJF_ONLINE_GRID, knobs: tuning.knobs, score: tuning.score, wallSeconds: tuning.wallSeconds, steps: tuning.steps },
      workTuning: workTuning && { grid: SJF_WORK_GRID, knobs: workTuning.knobs, score: workTuning.score, wallSeconds: workTuning.wallSeconds, steps: workTuning.steps },
      parts: results.map(({ part, rows, bySeed }) => ({
        name: part.name,
        window: { start: part.window.start, end: part.window.end },
        tasks: part.tasks.length,
        instances: part.tasks.reduce((a, t) => a + t.instances, 0),
        nodes: part.nodes.length,
        offeredLoad: part.offered,
        results: rows,
        resultsBySeed: bySeed.map((r, i) => ({ seed: seedsToReport[i], results: r })),
      })),
    };
    // JSON has no Infinity: open window ends become null.
    writeFileSync(o.json, JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
  }
  const last = results[results.length - 1];
  if (o.svg && last) writeFileSync(o.svg, barChartSvg(last.rows, `${trace.label} — ${last.part.name} part, ${last.part.nodes.length} nodes, ρ ${last.part.offered.rho.toFixed(2)}`));
}

interface TrainOpts {
  trace: string;
  before: string;
  samples: string;
  load: string;
  noiseSigma: string;
  maxInstancesPerTask: string;
  failures: string;
  placement: string;
  iterations: string;
  seed: string;
  out: string;
}

/**
 * Trains the learned policy's weights on slices that end before `--before` seconds of the trace (the
 * evaluation part of `bench schedule` starts later), at several job samples so the weights see
 * several congestion patterns; same simulator, noise, cap and online predictor as `bench schedule`.
 */
function runTrain(o: TrainOpts): void {
  const seed = intArg('seed', o.seed, 1);
  const before = numArg('before', o.before, 22_000, -1e9, 1e9);
  const load = numArg('load', o.load, 0.9, 0.01, 10);
  const sigma = numArg('noise-sigma', o.noiseSigma, DEFAULT_NOISE_SIGMA, 0, 5);
  const cap = intArg('max-instances-per-task', o.maxInstancesPerTask, 64);
  const trace = loadTrace(o.trace, { gang: false, seed, strict: false });
  const capped = capInstances(trace.tasks, cap);
  const slices = o.samples.split(',').map((x) => {
    const sample = numArg('samples', x.trim(), 0.1, 0.0001, 1);
    const tasks = sampleJobs(capped, sample).filter((t) => t.arrival < before);
    const durations = realiseInstanceDurations(tasks, { sigma, seed });
    const { nodes, offered } = sizeCluster(tasks, durations, load, trace.machine);
    const first = tasks.reduce((m, t) => Math.min(m, t.arrival), Infinity);
    const warmed = new HistoryDurationEstimator();
    if (trace.kind === 'alibaba2017') observeHistory(warmed, capped, { sigma, seed }, first);
    log(`training slice: job sample ${sample}, ${tasks.length} tasks arriving before ${before} s, ${nodes.length} nodes, ρ ${offered.rho.toFixed(3)}`);
    return { tasks, nodes, durations, predictor: trace.kind === 'alibaba2017' ? () => warmed.clone() : undefined };
  });
  const t0 = process.hrtime.bigint();
  const res = trainLearnedWeights({
    slices,
    nodeCapacity: trace.machine,
    sim: { failureProbability: numArg('failures', o.failures, 0.05, 0, 0.99), retry: DEFAULT_RETRY_POLICY, seed },
    placement: () => createPlacement(o.placement),
    iterations: intArg('iterations', o.iterations, 5, 1),
    samples: 8,
    seed,
    label: `${trace.label} tasks arriving before ${before} s, job samples ${o.samples}, ≤ ${cap || '∞'} instances per task, σ ${sigma}, load ${load}, CEM seed ${seed}`,
    onIteration: (it, best, mean) => log(`  iteration ${it + 1}: best relative wait ${best.toFixed(4)}; mean θ [${mean.map((x) => x.toFixed(3)).join(', ')}]`),
  });
  writeFileSync(o.out, `${JSON.stringify(res.weights, null, 2)}\n`);
  process.stdout.write(`trained in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s; relative mean wait vs θ0 ${res.score.toFixed(4)}; wrote ${o.out}\n${JSON.stringify(res.weights)}\n`);
}

interface LatencyOpts {
  queued: string;
  nodes: string;
  policies: string;
  placement: string;
  decisions: string;
  seed: string;
  json?: string;
  /** Also build the placement DecisionRecord of each dispatch inside the timed decision, as the executor's planPass does. */
  recordDecisions?: boolean;
  /** Time every policy twice, records off then built, and report both p99s side by side. */
  compareRecording?: boolean;
}

/**
 * Decision latency: fill a policy with `queued` tasks on a `nodes`-node cluster that is almost
 * full (so most candidates do not fit — the expensive case), then time pickNext + placement +
 * commit. Whenever nothing fits, a random running instance ends (the cluster frees it and the
 * policy hears `onInstanceEnd` with its real task and start): that call, and the decision right
 * after it (the re-rank after an instance ends), are timed too.
 */
/** Times `decisions` decisions of one policy on a cluster kept almost full (see runLatency). */
function timePolicy(name: string, c: { specs: NodeSpec[]; machine: Resources; tasks: Task[]; seed: number; decisions: number; placementName: string }, record: boolean): LatencyRow {
  const { specs, machine, tasks, seed, decisions } = c;
  const o = { placement: c.placementName };
  const cluster = new ClusterState(specs);
  const placement = createPlacement(o.placement);
  const policy = createPolicy(name, { placement, rng: seededRng(seed), nodeCapacity: machine });
  for (const t of tasks) policy.enqueue(t, t.instances, 0);
  // Fill the cluster with the first decisions so the timed ones run against a busy cluster.
  const running: { node: number; task: Task; start: number }[] = [];
  const times: number[] = [];
  /** CPU time of the process per decision (getrusage: user + system), which a loaded machine's preemption does not inflate. */
  const cpuTimes: number[] = [];
  const endTimes: number[] = [];
  const afterEnd: number[] = [];
  const rng = seededRng(seed + 1);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  // Built records are kept (as a pass's batch is until its insert) and dropped every 100 decisions.
  const recorded: unknown[] = [];
  let endedAt = -1;
  let endMs = 0;
  for (let i = 0; i < decisions * 2; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const d = policy.pickNext(cluster, i);
    if (d.kind === 'dispatch') {
      const task = byId.get(d.taskId);
      if (task) {
        for (const n of d.nodeIndexes) {
          if (record) {
            const id = randomUUID();
            recorded.push(explainPlacement(o.placement, task, cluster, n, { decisionId: id, at: new Date().toISOString(), taskId: id, orderingPolicy: name, queue: 'bench', waitingMs: i, queueLength: policy.queuedInstances, estimateP50Ms: null, attempt: 1 }));
          }
          cluster.allocate(n, task.request);
          running.push({ node: n, task, start: i });
        }
      }
      policy.commit(d, i);
    }
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(c0);
    if (i >= decisions) {
      times.push(dt);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      if (endedAt === i) afterEnd.push(endMs + dt);
    }
    // Nothing fits: a random running instance ends, as a completion would.
    if (d.kind === 'idle' && running.length > 0) {
      const k = Math.floor(rng.next() * running.length);
      const r = running[k];
      if (r) {
        running.splice(k, 1);
        const t1 = process.hrtime.bigint();
        cluster.release(r.node, r.task.request);
        policy.onInstanceEnd(r.task, r.node, r.start, i + 1, true);
        endMs = Number(process.hrtime.bigint() - t1) / 1e6;
        if (i + 1 >= decisions) endTimes.push(endMs);
        endedAt = i + 1;
      }
    }
    if (recorded.length >= 100) recorded.length = 0;
    if (policy.queuedInstances === 0) break;
  }
  const q = (xs: number[], p: number): number => {
    const s = xs.slice().sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  };
  return {
    policy: name,
    p50Ms: q(times, 0.5),
    p99Ms: q(times, 0.99),
    cpuP50Ms: q(cpuTimes, 0.5),
    cpuP99Ms: q(cpuTimes, 0.99),
    maxMs: times.reduce((m, x) => Math.max(m, x), 0),
    decisions: times.length,
    endP99Ms: q(endTimes, 0.99),
    afterEndP50Ms: q(afterEnd, 0.5),
    afterEndP99Ms: q(afterEnd, 0.99),
    ends: afterEnd.length,
  };
}

export function runLatency(o: LatencyOpts): void {
  const queued = intArg('queued', o.queued, 10_000, 1);
  const nodeCount = intArg('nodes', o.nodes, 100, 1);
  const decisions = intArg('decisions', o.decisions, 2000, 1);
  const seed = intArg('seed', o.seed, 1);
  const machine = resources({ cpuMillis: 16_000, memMb: 65_536, io: 200, net: 1000 });
  const specs: NodeSpec[] = Array.from({ length: nodeCount }, (_, i) => ({ id: `n${i}`, capacity: machine }));
  const tasks = syntheticWorkload({ tasks: queued, rng: seededRng(seed) });
  const names = o.policies.split(',').map((s) => s.trim()).filter((s) => s && !TUNED_NAMES.includes(s));
  const ctx = { specs, machine, tasks, seed, decisions, placementName: o.placement };
  const meta = runMeta();
  const f = (x: number): string => x.toFixed(3);
  const title = (what: string) =>
    `decision latency — ${String(meta['date'])}, commit ${String(meta['commit'])}, load average at start ${(meta['loadavgAtStart'] as number[]).join(' ')}: ${queued} queued tasks, ${nodeCount} nodes, placement ${o.placement}, ${what}\n`;
  if (o.compareRecording) {
    // Off and on back to back per policy (same workload and seed), so both see the same machine load.
    const pairs = names.map((name) => ({ policy: name, off: timePolicy(name, ctx, false), on: timePolicy(name, ctx, true) }));
    const head = `| policy | p50 off | p50 on | p99 off | p99 on | p99 on − off | max on | CPU p99 off | CPU p99 on | p99 on < 5 ms (wall / CPU) |\n|---|---|---|---|---|---|---|---|---|---|`;
    process.stdout.write(
      title('decision records off vs built (ms)') +
        `${head}\n${pairs.map((r) => `| ${r.policy} | ${f(r.off.p50Ms)} | ${f(r.on.p50Ms)} | ${f(r.off.p99Ms)} | ${f(r.on.p99Ms)} | ${f(r.on.p99Ms - r.off.p99Ms)} | ${f(r.on.maxMs)} | ${f(r.off.cpuP99Ms)} | ${f(r.on.cpuP99Ms)} | ${r.on.p99Ms < 5 ? 'yes' : 'no'} / ${r.on.cpuP99Ms < 5 ? 'yes' : 'no'} |`).join('\n')}\n`,
    );
    if (o.json) writeFileSync(o.json, JSON.stringify({ benchmark: 'decision-latency', ...meta, queued, nodes: nodeCount, placement: o.placement, compareRecording: true, results: pairs }, null, 2));
    return;
  }
  const rows = names.map((name) => timePolicy(name, ctx, o.recordDecisions === true));
  const head = `| policy | p50 ms | p99 ms | max ms | timed decisions | onInstanceEnd p99 ms | end → next decision p50 ms | end → next decision p99 ms | timed ends |\n|---|---|---|---|---|---|---|---|---|`;
  process.stdout.write(
    title(`decision records ${o.recordDecisions ? 'built' : 'off'}`) +
      `${head}\n${rows.map((r) => `| ${r.policy} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${f(r.maxMs)} | ${r.decisions} | ${f(r.endP99Ms)} | ${f(r.afterEndP50Ms)} | ${f(r.afterEndP99Ms)} | ${r.ends} |`).join('\n')}\n`,
  );
  if (o.json) writeFileSync(o.json, JSON.stringify({ benchmark: 'decision-latency', ...meta, queued, nodes: nodeCount, placement: o.placement, recordDecisions: o.recordDecisions === true, results: rows }, null, 2));
}

interface LatencyRow {
  readonly policy: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The same decisions in process CPU time (ms): what the decision costs, whatever else runs on the machine. */
  readonly cpuP50Ms: number;
  readonly cpuP99Ms: number;
  readonly maxMs: number;
  readonly decisions: number;
  /** onInstanceEnd alone (the policy's re-rank of the ended task). */
  readonly endP99Ms: number;
  /** onInstanceEnd plus the decision that follows it. */
  readonly afterEndP50Ms: number;
  readonly afterEndP99Ms: number;
  readonly ends: number;
}

export function register(bench: Command): void {
  bench
    .command('schedule')
    .description('replay a workload through the ordering policies, split by time (tune on the earlier part, report both); table + JSON + SVG')
    .option('--trace <spec>', 'alibaba2017:<batch_task.csv> or synthetic:<tasks>', DEFAULT_TRACE)
    .option('--strict', 'fail on the first malformed trace row (file:line, field) instead of skipping and counting it')
    .option('--policies <list>', `comma-separated (${POLICY_NAMES.join(',')},${TUNED_NAMES.join(',')})`, DEFAULT_POLICIES)
    .option('--load <x>', 'offered load ρ (usual definition, bottleneck resource) each part\'s cluster is sized for', '0.9')
    .option('--nodes <n>', 'use n machines in every part instead of sizing from --load (ρ is still reported)')
    .option('--noise-sigma <σ>', 'per-instance duration noise: instance runs span × exp(σZ − σ²/2); 0 = every instance runs the span', String(DEFAULT_NOISE_SIGMA))
    .option('--failures <p>', 'transient failure probability per attempt', '0.05')
    .option('--max-attempts <n>', 'attempts per instance, the first included (lost attempts not charged)', String(DEFAULT_RETRY_POLICY.maxAttempts))
    .option('--node-failures <n>', 'random node losses (600 s each)', '0')
    .option('--max-instances-per-task <n>', 'cap on instances per task (0 = as in the trace)', '64')
    .option('--window <start:end>', 'replay only tasks arriving in [start, end): trace seconds, or percent of the arrival span (50%:100%)')
    .option('--sample <f>', 'keep this fraction of jobs (by hash) to thin the trace (default 0.1 for alibaba2017, 1 for synthetic)')
    .option('--train-fraction <f>', 'time split: the earlier fraction of the arrival span is the training part (0 = no split)', '0.5')
    .option('--tune-seeds <n>', 'seeds per setting when tuning sjf-online on the training part', '3')
    .option('--eval-seeds <n>', 'report the mean over seeds seed … seed + n − 1 (noise, failures, jitter) with per-seed ratio ranges', '3')
    .option('--tune-passes <n>', 'coordinate-descent sweeps over sjf-online\'s knobs', '2')
    .option('--gang', 'start all instances of a task together')
    .option('--placement <name>', 'placement strategy for every policy', 'best-fit')
    .option('--seed <n>', 'seed of the noise, failures and retry jitter (tuning uses seed … seed + tune-seeds − 1)', '1')
    .option('--weights <file>', 'weights of the ai policy (learned-weights.json format) or of the rl policy (kairos.scheduling-policy format); default: the shipped ones')
    .option('--rl-ablate <list>', `with --rl-weights: also run each file with parts of the network silenced (${RL_ABLATIONS.join(', ')})`)
    .option('--rl-weights <list>', 'comma-separated rl weights files, one rl:<file name> row each (e.g. one per training seed), with the worst and spread over them')
    .option('--json <file>', 'write results as JSON')
    .option('--svg <file>', 'write a bar chart of the last part')
    .option('--decision-latency', 'run the decision-latency benchmark instead (10,000 queued, 100 nodes)')
    .action((o: ScheduleOpts & { decisionLatency?: boolean }) => {
      if (o.decisionLatency) {
        runLatency({ queued: '10000', nodes: '100', policies: o.policies, placement: o.placement, decisions: '2000', seed: o.seed, json: o.json });
      } else runSchedule(o);
    });
  bench
    .command('schedule-train')
    .description('train the learned policy (cross-entropy search on simulator rollouts over an earlier trace slice)')
    .option('--trace <spec>', 'alibaba2017:<batch_task.csv> or synthetic:<tasks>', DEFAULT_TRACE)
    .option('--before <seconds>', 'train only on tasks arriving before this trace time (the evaluation part starts later)', '22000')
    .option('--samples <list>', 'job samples of the training slices', '0.05,0.1')
    .option('--load <x>', 'offered load (usual definition)', '0.9')
    .option('--noise-sigma <σ>', 'per-instance duration noise', String(DEFAULT_NOISE_SIGMA))
    .option('--max-instances-per-task <n>', 'cap on instances per task (0 = as in the trace)', '64')
    .option('--failures <p>', 'transient failure probability', '0.05')
    .option('--placement <name>', 'placement strategy', 'best-fit')
    .option('--iterations <n>', 'CEM iterations (8 rollouts per slice each)', '5')
    .option('--seed <n>', 'RNG seed', '1')
    .option('--out <file>', 'where to write the weights', 'libs/scheduling-core/src/policies/learned-weights.json')
    .action((o: TrainOpts) => runTrain(o));
  bench
    .command('decision-latency')
    .description('time one policy decision (pickNext + placement + commit) with many queued tasks')
    .option('--queued <n>', 'queued tasks', '10000')
    .option('--nodes <n>', 'nodes', '100')
    .option('--policies <list>', 'policies', 'fifo,backfill,rr,sjf,sjf-oracle,priority,dynamic,mlfq,ga,packing,sjf-online,sjf-work,ai,rl')
    .option('--placement <name>', 'placement strategy', 'best-fit')
    .option('--decisions <n>', 'timed decisions per policy', '2000')
    .option('--seed <n>', 'RNG seed', '1')
    .option('--json <file>', 'write results as JSON')
    .option('--record-decisions', "also build each dispatch's placement DecisionRecord inside the timed decision (what the executor's planPass adds)")
    .option('--compare-recording', 'time every policy with records off and built, back to back, and report both p50/p99 side by side')
    .action((o: LatencyOpts) => runLatency(o));
}
