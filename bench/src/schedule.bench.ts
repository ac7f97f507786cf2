// `kairos bench schedule`: replays a workload (Alibaba 2017 batch_task.csv or synthetic) through every
// ordering policy on the same cluster and prints a seed-001 style table; `bench schedule-train`
// trains the learned policy on an earlier slice; `bench decision-latency` times pickNext+placement.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  ALIBABA_MACHINE,
  ClusterState,
  DEFAULT_BACKOFF,
  DEFAULT_LEARNED_WEIGHTS,
  POLICY_NAMES,
  SchedulingError,
  alibabaToTasks,
  createPlacement,
  createPolicy,
  parseAlibabaBatchTasks,
  resources,
  seededRng,
  simulate,
  sizeCluster,
  syntheticWorkload,
  trainLearnedWeights,
  type LearnedWeights,
  type NodeSpec,
  type Resources,
  type SimMetrics,
  type Task,
} from '@kairos/scheduling-core';

const DEFAULT_TRACE = 'alibaba2017:../shared/datasets/alibaba-2017/batch_task.csv';
const DEFAULT_POLICIES = 'fifo,backfill,rr,sjf,sjf-oracle,priority,dynamic,mlfq,ga,packing,sjf-online,ai';

class BenchArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchArgError';
  }
}

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

function intArg(name: string, v: string | undefined, def: number, min = 0): number {
  if (v === undefined) return def;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new BenchArgError(`--${name}: expected an integer ≥ ${min}, got "${v}"`);
  return x;
}

function numArg(name: string, v: string | undefined, def: number, lo: number, hi: number): number {
  if (v === undefined) return def;
  const x = Number(v);
  if (!Number.isFinite(x) || x < lo || x > hi) throw new BenchArgError(`--${name}: expected a number in [${lo}, ${hi}], got "${v}"`);
  return x;
}

interface Workload {
  readonly label: string;
  readonly tasks: Task[];
  readonly machine: Resources;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new SchedulingError('TRACE_IO', `${file}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** `alibaba2017:<csv>` or `synthetic:<tasks>`. */
export function loadWorkload(spec: string, offset: number, limit: number, gang: boolean, seed: number, sample = 1): Workload {
  const i = spec.indexOf(':');
  const kind = i < 0 ? spec : spec.slice(0, i);
  const arg = i < 0 ? '' : spec.slice(i + 1);
  if (kind === 'alibaba2017') {
    if (!arg) throw new BenchArgError('--trace alibaba2017:<path to batch_task.csv>');
    const rows = parseAlibabaBatchTasks(readText(arg), arg);
    const tasks = alibabaToTasks(rows, { offset, limit, gang, jobSample: sample });
    if (tasks.length === 0) throw new BenchArgError(`--trace ${spec}: no Terminated rows after offset ${offset}`);
    return { label: `alibaba2017 ${arg}, job sample ${sample}, terminated tasks [${offset}, ${offset + tasks.length})`, tasks, machine: ALIBABA_MACHINE };
  }
  if (kind === 'synthetic') {
    const n = intArg('trace synthetic:<n>', arg || '2000', 2000, 1);
    const tasks = syntheticWorkload({ tasks: n, rng: seededRng(seed) }).map((t) => ({ ...t, gang }));
    return { label: `synthetic ${n} tasks seed ${seed}`, tasks, machine: resources({ cpuMillis: 16_000, memMb: 65_536, io: 200, net: 1000 }) };
  }
  throw new BenchArgError(`--trace: unknown kind "${kind}" (use alibaba2017:<csv> or synthetic:<n>)`);
}

function loadWeights(file: string | undefined): LearnedWeights {
  if (!file) return DEFAULT_LEARNED_WEIGHTS;
  const raw: unknown = JSON.parse(readText(file));
  const w = raw as Partial<LearnedWeights>;
  if (!raw || typeof raw !== 'object' || !Array.isArray(w.weights) || typeof w.agePerHour !== 'number' || typeof w.fitWeight !== 'number') {
    throw new BenchArgError(`--weights ${file}: not a learned-weights JSON (needs weights[], agePerHour, fitWeight)`);
  }
  return raw as LearnedWeights;
}

interface Row extends SimMetrics {
  readonly wallSeconds: number;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const sec = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

export function formatTable(rows: readonly Row[]): string {
  const head = ['policy', 'info', 'mean wait s', 'p95 wait s', 'mean JCT s', 'p95 slowdown', 'makespan s', 'util cpu', 'util mem', 'util cpu (arr.)', 'util mem (arr.)', 'success', 'Jain', 'wall s'];
  const body = rows.map((r) => [
    r.policy,
    r.information,
    sec(r.meanWait),
    sec(r.p95Wait),
    sec(r.meanJct),
    r.p95Slowdown.toFixed(2),
    sec(r.makespan),
    pct(r.utilisation.cpuMillis),
    pct(r.utilisation.memMb),
    pct(r.utilisationArrivalWindow.cpuMillis),
    pct(r.utilisationArrivalWindow.memMb),
    pct(r.successRate),
    r.jainFairness.toFixed(3),
    r.wallSeconds.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** Horizontal bar chart of mean wait (and CPU utilisation as a label) per policy. */
export function barChartSvg(rows: readonly Row[], title: string): string {
  const w = 760;
  const barH = 22;
  const left = 110;
  const top = 40;
  const max = Math.max(1, ...rows.map((r) => r.meanWait));
  const h = top + rows.length * (barH + 8) + 30;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const bars = rows
    .map((r, i) => {
      const y = top + i * (barH + 8);
      const bw = Math.max(1, ((w - left - 180) * r.meanWait) / max);
      const fill = r.policy === 'ai' ? '#d9480f' : '#4263eb';
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end" font-size="12">${esc(r.policy)}</text><rect x="${left}" y="${y}" width="${bw.toFixed(1)}" height="${barH}" fill="${fill}"/><text x="${left + bw + 6}" y="${y + 15}" font-size="11">${sec(r.meanWait)} s · cpu ${pct(r.utilisation.cpuMillis)} · ok ${pct(r.successRate)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif"><text x="10" y="22" font-size="14" font-weight="bold">${esc(title)}</text>${bars}<text x="10" y="${h - 8}" font-size="11">mean wait per instance (seconds, lower is better)</text></svg>`;
}

interface ScheduleOpts {
  trace: string;
  policies: string;
  load: string;
  failures: string;
  retries: string;
  nodeFailures: string;
  offset?: string;
  limit?: string;
  sample: string;
  gang?: boolean;
  placement: string;
  seed: string;
  weights?: string;
  json?: string;
  svg?: string;
}

function runSchedule(o: ScheduleOpts): void {
  const seed = intArg('seed', o.seed, 1);
  const load = numArg('load', o.load, 0.9, 0.01, 10);
  const failures = numArg('failures', o.failures, 0.05, 0, 0.99);
  const retries = intArg('retries', o.retries, 3);
  const nodeFailures = intArg('node-failures', o.nodeFailures, 0);
  const offset = intArg('offset', o.offset, 1100);
  const limit = intArg('limit', o.limit, 2000, 1);
  const sample = numArg('sample', o.sample, 0.05, 0.0001, 1);
  const policies = o.policies.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of policies) {
    if (!(POLICY_NAMES as readonly string[]).includes(p)) throw new BenchArgError(`--policies: unknown policy "${p}" (known: ${POLICY_NAMES.join(', ')})`);
  }
  createPlacement(o.placement);
  const weights = loadWeights(o.weights);
  const wl = loadWorkload(o.trace, offset, limit, o.gang ?? false, seed, sample);
  const { nodes, offeredLoad } = sizeCluster(wl.tasks, load, wl.machine);
  const instances = wl.tasks.reduce((s, t) => s + t.instances, 0);
  log(`workload: ${wl.label}; ${wl.tasks.length} tasks, ${instances} instances; cluster ${nodes.length} nodes; offered load ${offeredLoad.toFixed(3)}`);
  const rows: Row[] = [];
  for (const name of policies) {
    const placement = createPlacement(o.placement);
    const policy = createPolicy(name, { placement, rng: seededRng(seed + 17), nodeCapacity: wl.machine, learnedWeights: weights });
    const t0 = process.hrtime.bigint();
    const out = simulate(wl.tasks, policy, {
      nodes,
      failureProbability: failures,
      maxRetries: retries,
      backoff: DEFAULT_BACKOFF,
      nodeFailures: nodeFailures > 0 ? { count: nodeFailures, downtimeSeconds: 600 } : undefined,
      seed,
      onProgress: (d, t) => log(`  ${name}: ${d}/${t} instances done`),
    });
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    rows.push({ ...out.metrics, wallSeconds });
    log(`${name}: mean wait ${sec(out.metrics.meanWait)} s (${wallSeconds.toFixed(1)} s wall)`);
  }
  const table = formatTable(rows);
  process.stdout.write(`${wl.label}\n${nodes.length} nodes × ${wl.machine.cpuMillis / 1000} cores, offered load ${offeredLoad.toFixed(3)}, failures ${failures}, retries ${retries}, placement ${o.placement}\n${table}\n`);
  const by = new Map(rows.map((r) => [r.policy, r]));
  const ai = by.get('ai');
  if (ai) {
    const ratio = (name: string): string => {
      const r = by.get(name);
      return r && r.meanWait > 0 ? (ai.meanWait / r.meanWait).toFixed(3) : 'n/a';
    };
    // Static-information baselines see the same predictions as ai but no run-time feedback;
    // sjf-online is the hand-set ablation that also gets the feedback.
    const best = (names: string[]): Row | undefined =>
      names.flatMap((n) => (by.has(n) ? [by.get(n) as Row] : [])).sort((a, b) => a.meanWait - b.meanWait)[0];
    const staticBase = best(['backfill', 'sjf', 'sjf-requested', 'packing']);
    const onlineBase = best(['sjf-online']);
    process.stdout.write(
      `ai/fifo mean wait ${ratio('fifo')} (target ≤ 0.33); ai/sjf-oracle ${ratio('sjf-oracle')} (target ≤ 1.1)` +
        (staticBase ? `; ai/${staticBase.policy} (best static-information baseline) ${ratio(staticBase.policy)} (target ≤ 0.90)` : '') +
        (onlineBase ? `; ai/sjf-online (same feedback, hand-set weights) ${ratio('sjf-online')}` : '') +
        '\n',
    );
  }
  const result = {
    benchmark: 'schedule',
    workload: wl.label,
    nodes: nodes.length,
    machine: wl.machine,
    offeredLoad,
    failures,
    retries,
    nodeFailures,
    placement: o.placement,
    seed,
    learnedWeights: weights,
    results: rows,
  };
  if (o.json) writeFileSync(o.json, JSON.stringify(result, null, 2));
  if (o.svg) writeFileSync(o.svg, barChartSvg(rows, `${wl.label} — ${nodes.length} nodes, load ${offeredLoad.toFixed(2)}`));
}

interface TrainOpts {
  trace: string;
  before: string;
  samples: string;
  load: string;
  failures: string;
  placement: string;
  iterations: string;
  seed: string;
  out: string;
}

/**
 * Trains on slices that end before the test slice starts: the tasks arriving before `--before`
 * seconds of the trace, at two job samples (5 % — the test sampling — and 10 %) so the weights
 * see two congestion patterns.
 */
function runTrain(o: TrainOpts): void {
  const seed = intArg('seed', o.seed, 1);
  const before = numArg('before', o.before, 22_000, 1, 1e9);
  const load = numArg('load', o.load, 0.9, 0.01, 10);
  const slices = o.samples.split(',').map((x) => {
    const sample = numArg('samples', x.trim(), 0.05, 0.0001, 1);
    const wl = loadWorkload(o.trace, 0, 1_000_000, false, seed, sample);
    const tasks = wl.tasks.filter((t) => t.arrival < before);
    const { nodes, offeredLoad } = sizeCluster(tasks, load, wl.machine);
    log(`training slice: job sample ${sample}, ${tasks.length} tasks arriving before ${before} s, ${nodes.length} nodes, offered load ${offeredLoad.toFixed(3)}`);
    return { tasks, nodes, sample };
  });
  const t0 = process.hrtime.bigint();
  const res = trainLearnedWeights({
    slices,
    nodeCapacity: ALIBABA_MACHINE,
    sim: { failureProbability: numArg('failures', o.failures, 0.05, 0, 0.99), maxRetries: 3, backoff: DEFAULT_BACKOFF, seed },
    placement: () => createPlacement(o.placement),
    iterations: intArg('iterations', o.iterations, 5, 1),
    samples: 8,
    seed,
    label: `alibaba2017 tasks arriving before ${before} s, job samples ${o.samples}, load ${load}, CEM seed ${seed}`,
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
}

/**
 * Decision latency: fill a policy with `queued` tasks on a `nodes`-node cluster that is almost
 * full (so most candidates do not fit — the expensive case), then time pickNext + commit.
 */
function runLatency(o: LatencyOpts): void {
  const queued = intArg('queued', o.queued, 10_000, 1);
  const nodeCount = intArg('nodes', o.nodes, 100, 1);
  const decisions = intArg('decisions', o.decisions, 2000, 1);
  const seed = intArg('seed', o.seed, 1);
  const machine = resources({ cpuMillis: 16_000, memMb: 65_536, io: 200, net: 1000 });
  const specs: NodeSpec[] = Array.from({ length: nodeCount }, (_, i) => ({ id: `n${i}`, capacity: machine }));
  const tasks = syntheticWorkload({ tasks: queued, rng: seededRng(seed) });
  const rows: { policy: string; p50Ms: number; p99Ms: number; maxMs: number; decisions: number }[] = [];
  for (const name of o.policies.split(',').map((s) => s.trim()).filter(Boolean)) {
    const cluster = new ClusterState(specs);
    const placement = createPlacement(o.placement);
    const policy = createPolicy(name, { placement, rng: seededRng(seed), nodeCapacity: machine });
    for (const t of tasks) policy.enqueue(t, t.instances, 0);
    // Fill the cluster with the first decisions so the timed ones run against a busy cluster.
    const running: { node: number; req: Resources }[] = [];
    const times: number[] = [];
    const rng = seededRng(seed + 1);
    const byId = new Map(tasks.map((t) => [t.id, t]));
    for (let i = 0; i < decisions * 2; i++) {
      const t0 = process.hrtime.bigint();
      const d = policy.pickNext(cluster, i);
      if (d.kind === 'dispatch') {
        const task = byId.get(d.taskId);
        if (task) for (const n of d.nodeIndexes) cluster.allocate(n, task.request), running.push({ node: n, req: task.request });
        policy.commit(d, i);
      }
      const dt = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= decisions) times.push(dt);
      // Free a random running instance when nothing fits, as completions would.
      if (d.kind === 'idle' && running.length > 0) {
        const k = Math.floor(rng.next() * running.length);
        const r = running[k];
        if (r) {
          cluster.release(r.node, r.req);
          running.splice(k, 1);
          policy.onInstanceEnd(tasks[0] as Task, r.node, 0, i, true);
        }
      }
      if (policy.queuedInstances === 0) break;
    }
    times.sort((a, b) => a - b);
    const q = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
    rows.push({ policy: name, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: times[times.length - 1] ?? 0, decisions: times.length });
  }
  const head = `| policy | p50 ms | p99 ms | max ms | timed decisions |\n|---|---|---|---|---|`;
  process.stdout.write(`decision latency: ${queued} queued tasks, ${nodeCount} nodes, placement ${o.placement}\n${head}\n${rows.map((r) => `| ${r.policy} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${r.maxMs.toFixed(3)} | ${r.decisions} |`).join('\n')}\n`);
  if (o.json) writeFileSync(o.json, JSON.stringify({ benchmark: 'decision-latency', queued, nodes: nodeCount, placement: o.placement, results: rows }, null, 2));
}

export function register(bench: Command): void {
  bench
    .command('schedule')
    .description('replay a workload through every ordering policy; table + JSON + SVG chart')
    .option('--trace <spec>', 'alibaba2017:<batch_task.csv> or synthetic:<tasks>', DEFAULT_TRACE)
    .option('--policies <list>', `comma-separated (${POLICY_NAMES.join(',')})`, DEFAULT_POLICIES)
    .option('--load <x>', 'offered load the cluster is sized for', '0.9')
    .option('--failures <p>', 'transient failure probability per attempt', '0.05')
    .option('--retries <n>', 'retries per instance', '3')
    .option('--node-failures <n>', 'random node losses (600 s each)', '0')
    .option('--offset <n>', 'skip this many (sampled) Terminated tasks; they stay history for the predictor', '1100')
    .option('--limit <n>', 'replay at most this many (sampled) Terminated tasks', '2000')
    .option('--sample <f>', 'keep this fraction of jobs (by hash) to thin the trace', '0.05')
    .option('--gang', 'start all instances of a task together')
    .option('--placement <name>', 'placement strategy for every policy', 'best-fit')
    .option('--seed <n>', 'RNG seed', '1')
    .option('--weights <file>', 'learned-policy weights JSON (default: the shipped ones)')
    .option('--json <file>', 'write results as JSON')
    .option('--svg <file>', 'write a bar chart')
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
    .option('--before <seconds>', 'train only on tasks arriving before this trace time (the test slice starts later)', '22000')
    .option('--samples <list>', 'job samples of the training slices', '0.05,0.1')
    .option('--load <x>', 'offered load', '0.9')
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
    .option('--policies <list>', 'policies', DEFAULT_POLICIES)
    .option('--placement <name>', 'placement strategy', 'best-fit')
    .option('--decisions <n>', 'timed decisions per policy', '2000')
    .option('--seed <n>', 'RNG seed', '1')
    .option('--json <file>', 'write results as JSON')
    .action((o: LatencyOpts) => runLatency(o));
}
