// `kairos bench fair-share`: two tenants (jobs assigned by hash) with weights, e.g. 2:1, compete on
// an over-subscribed cluster replaying the Alibaba 2017 batch trace. Each ordering policy runs twice
// on the same tasks, cluster and realised durations: alone, and wrapped in FairSharePolicy (weighted
// DRF). A TenantShareRecorder integrates each tenant's dominant share per time window over the time
// both tenants had work queued; the table reports the share ratio per window and overall.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Command } from 'commander';
import {
  ALIBABA_MACHINE,
  DEFAULT_NOISE_SIGMA,
  DEFAULT_RETRY_POLICY,
  FairSharePolicy,
  HistoryDurationEstimator,
  ObservedPolicy,
  POLICY_NAMES,
  SchedulingError,
  TenantShareRecorder,
  alibabaToTasks,
  capInstances,
  createPlacement,
  createPolicy,
  offeredLoad,
  parseAlibabaBatchTasks,
  realiseInstanceDurations,
  sampleJobs,
  shareRatio,
  seededRng,
  simulate as simulateCore,
  sizeCluster,
  type NodeSpec,
  type OrderingPolicy,
  type RealisedDurations,
  type Resources,
  type ShareCondition,
  type ShareWindow,
  type Task,
  type TenantShare,
} from '@kairos/scheduling-core';

const DEFAULT_TRACE = '../shared/datasets/alibaba-2017/batch_task.csv';

class BenchArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchArgError';
  }
}

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

function num(name: string, v: string, lo: number, hi: number, integer = false): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < lo || x > hi || (integer && !Number.isInteger(x))) throw new BenchArgError(`--${name}: expected ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], got "${v}"`);
  return x;
}

/** `2,1` → tenants t0 (weight 2) and t1 (weight 1); tasks go to t(hash(job) mod n). */
export function parseWeights(text: string): number[] {
  const w = text.split(',').map((s) => Number(s.trim()));
  if (w.length < 2 || w.some((x) => !(x > 0) || !Number.isFinite(x))) throw new BenchArgError(`--weights: expected two or more positive numbers like 2,1, got "${text}"`);
  return w;
}

export interface WindowRow {
  readonly start: number;
  readonly end: number;
  /** Fraction of the window under each condition (see ShareWindow.seconds). */
  readonly fraction: Readonly<Record<'contended' | 'backlogged', number>>;
  /** Dominant-share ratio first tenant ÷ second over the window's seconds under the condition (null: not counted). */
  readonly ratio: Readonly<Record<'contended' | 'backlogged', number | null>>;
  /** Each tenant's mean dominant share over the window's contended seconds. */
  readonly shares: Readonly<Record<string, number>>;
}

export interface ConditionResult {
  readonly ratio: { readonly dominant: number | null; readonly cpu: number | null; readonly mem: number | null };
  readonly hours: number;
  /** Counted windows (≥ minFraction of the window under the condition) whose ratio is within ±tolerance of the target. */
  readonly windowsWithin: number;
  readonly windowsCounted: number;
  readonly windowMin: number | null;
  readonly windowMax: number | null;
}

export interface RunResult {
  readonly policy: string;
  readonly seed: number;
  readonly fairShare: boolean;
  /** `contended`: both tenants had instances queued (the issue's "while both have work"); `backlogged`: both had enough work to use their share. */
  readonly byCondition: Readonly<Record<'contended' | 'backlogged', ConditionResult>>;
  readonly windows: readonly WindowRow[];
  readonly meanWaitPerTaskByTenant: Readonly<Record<string, number>>;
  readonly wallSeconds: number;
}

/** Per-window rows: a ratio is given only where at least `minFraction` of the window was under its condition. */
export function windowRows(windows: readonly ShareWindow[], tenants: readonly string[], minFraction: number): WindowRow[] {
  const [a, b] = tenants as [string, string];
  return windows.map((w) => {
    const span = w.end - w.start;
    const ratioOf = (c: ShareCondition): number | null => {
      const frac = span > 0 ? w.seconds[c] / span : 0;
      const db = w.shares[c][b]?.dominant ?? 0;
      return frac >= minFraction && db > 0 ? (w.shares[c][a]?.dominant ?? 0) / db : null;
    };
    return {
      start: w.start,
      end: w.end,
      fraction: { contended: span > 0 ? w.seconds.contended / span : 0, backlogged: span > 0 ? w.seconds.backlogged / span : 0 },
      ratio: { contended: ratioOf('contended'), backlogged: ratioOf('backlogged') },
      shares: Object.fromEntries(tenants.map((t) => [t, w.shares.contended[t]?.dominant ?? 0])),
    };
  });
}

export function summarise(windows: readonly ShareWindow[], rows: readonly WindowRow[], tenants: readonly string[], c: 'contended' | 'backlogged', target: number, tolerance: number): ConditionResult {
  const [a, b] = tenants as [string, string];
  const rs = rows.flatMap((r) => (r.ratio[c] === null ? [] : [r.ratio[c] as number]));
  return {
    ratio: { dominant: shareRatio(windows, a, b, c, 'dominant'), cpu: shareRatio(windows, a, b, c, 'cpu'), mem: shareRatio(windows, a, b, c, 'mem') },
    hours: windows.reduce((s, w) => s + w.seconds[c], 0) / 3600,
    windowsWithin: rs.filter((r) => Math.abs(r / target - 1) <= tolerance).length,
    windowsCounted: rs.length,
    windowMin: rs.length ? Math.min(...rs) : null,
    windowMax: rs.length ? Math.max(...rs) : null,
  };
}

interface Setup {
  readonly tasks: Task[];
  readonly nodes: NodeSpec[];
  readonly durations: RealisedDurations;
  readonly tenants: string[];
  readonly weights: number[];
  readonly machine: Resources;
}

function runOnce(setup: Setup, policyName: string, fairShare: boolean, o: { seed: number; window: number; minContended: number; tolerance: number; failures: number; placement: string; protectSeconds: number }): RunResult {
  const capacity = setup.nodes.reduce<Resources>((acc, n) => Object.fromEntries(Object.keys(acc).map((k) => [k, acc[k as keyof Resources] + n.capacity[k as keyof Resources]])) as unknown as Resources, { cpuMillis: 0, memMb: 0, gpu: 0, io: 0, net: 0 });
  const placement = createPlacement(o.placement);
  const ctx = { placement, rng: seededRng(o.seed), nodeCapacity: setup.machine };
  const shares: Record<string, TenantShare> = Object.fromEntries(setup.tenants.map((t, i) => [t, { weight: setup.weights[i] ?? 1 }]));
  const inner: OrderingPolicy = fairShare ? new FairSharePolicy({ createInner: () => createPolicy(policyName, ctx), tenants: shares, protectSeconds: o.protectSeconds }) : createPolicy(policyName, ctx);
  const recorder = new TenantShareRecorder(capacity, setup.tenants, o.window, Object.fromEntries(setup.tenants.map((t, i) => [t, setup.weights[i] ?? 1])));
  const policy = new ObservedPolicy(inner, recorder);
  const t0 = performance.now();
  const out = simulate(setup, policy, o);
  const wallSeconds = (performance.now() - t0) / 1000;
  const windows = recorder.finish(out.end);
  const target = (setup.weights[0] ?? 1) / (setup.weights[1] ?? 1);
  const rows = windowRows(windows, setup.tenants, o.minContended);
  return {
    policy: fairShare ? inner.name : policyName,
    seed: o.seed,
    fairShare,
    byCondition: {
      contended: summarise(windows, rows, setup.tenants, 'contended', target, o.tolerance),
      backlogged: summarise(windows, rows, setup.tenants, 'backlogged', target, o.tolerance),
    },
    windows: rows,
    meanWaitPerTaskByTenant: out.waitByTenant,
    wallSeconds,
  };
}

/** The one place this bench calls the simulator (its config shape follows libs/scheduling-core). */
function simulate(setup: Setup, policy: OrderingPolicy, o: { seed: number; failures: number }): { end: number; waitByTenant: Record<string, number> } {
  const out = simulateCore(setup.tasks, policy, { nodes: setup.nodes, failureProbability: o.failures, retry: DEFAULT_RETRY_POLICY, seed: o.seed, durations: setup.durations, predictor: new HistoryDurationEstimator() });
  const first = setup.tasks.reduce((m, t) => Math.min(m, t.arrival), Infinity);
  const wait = new Map<string, { sum: number; n: number }>();
  const offsets = setup.durations.offsets;
  setup.tasks.forEach((t, i) => {
    let s = 0;
    for (let g = offsets[i] as number; g < (offsets[i + 1] as number); g++) s += out.instanceWaits[g] ?? 0;
    const acc = wait.get(t.tenant) ?? { sum: 0, n: 0 };
    acc.sum += s / t.instances;
    acc.n += 1;
    wait.set(t.tenant, acc);
  });
  return { end: first + out.metrics.makespan, waitByTenant: Object.fromEntries([...wait].map(([k, v]) => [k, v.sum / v.n])) };
}

const f3 = (x: number | null): string => (x === null ? 'n/a' : x > 1000 ? '> 1000' : x.toFixed(3));

export function formatTable(rows: readonly RunResult[], target: number, tolerance: number): string {
  const head = ['policy', 'seed', 'while both queued: ratio (dominant)', 'cpu', 'mem', 'hours', `windows ±${(tolerance * 100).toFixed(0)} % of ${target}`, 'window min–max', 'while both backlogged: ratio', 'hours', `windows ±${(tolerance * 100).toFixed(0)} %`, 'wait/task by tenant s', 'wall s'];
  const body = rows.map((r) => {
    const c = r.byCondition.contended;
    const b = r.byCondition.backlogged;
    return [
      r.policy,
      String(r.seed),
      f3(c.ratio.dominant),
      f3(c.ratio.cpu),
      f3(c.ratio.mem),
      c.hours.toFixed(2),
      `${c.windowsWithin}/${c.windowsCounted}`,
      `${f3(c.windowMin)}–${f3(c.windowMax)}`,
      f3(b.ratio.dominant),
      b.hours.toFixed(2),
      `${b.windowsWithin}/${b.windowsCounted}`,
      Object.entries(r.meanWaitPerTaskByTenant).map(([t, w]) => `${t} ${w.toFixed(0)}`).join(' · '),
      r.wallSeconds.toFixed(1),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((x) => (x[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export function windowTable(r: RunResult, origin: number): string {
  const [t0, t1] = Object.keys(r.windows[0]?.shares ?? {});
  const lines = [`| window (h from first arrival) | both queued | both backlogged | share ${t0} | share ${t1} | ratio (both queued) | ratio (both backlogged) |`, '|---|---|---|---|---|---|---|'];
  for (const w of r.windows) {
    const pctOf = (x: number): string => `${(x * 100).toFixed(0)} %`;
    lines.push(
      `| ${((w.start - origin) / 3600).toFixed(1)}–${((w.end - origin) / 3600).toFixed(1)} | ${pctOf(w.fraction.contended)} | ${pctOf(w.fraction.backlogged)} | ${(w.shares[t0 ?? ''] ?? 0).toFixed(3)} | ${(w.shares[t1 ?? ''] ?? 0).toFixed(3)} | ${w.ratio.contended === null ? '—' : f3(w.ratio.contended)} | ${w.ratio.backlogged === null ? '—' : f3(w.ratio.backlogged)} |`,
    );
  }
  return lines.join('\n');
}

/** Two panels: each tenant's dominant share per window (fair share solid, plain dashed); the ratio per window against the target band. */
export function renderSvg(runs: readonly RunResult[], origin: number, target: number, tolerance: number, title: string): string {
  const width = 820;
  const left = 60;
  const right = 20;
  const panelH = 200;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const all = runs.flatMap((r) => r.windows);
  const x0 = origin;
  const x1 = Math.max(origin + 1, ...all.map((w) => w.end));
  const X = (t: number): number => left + ((t - x0) / (x1 - x0)) * (width - left - right);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${2 * panelH + 140}" font-family="sans-serif" font-size="11">`, `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`];
  const colours = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9'];
  // Panel 1: shares.
  const top1 = 40;
  const maxShare = Math.max(0.01, ...all.flatMap((w) => Object.values(w.shares)));
  const Y1 = (v: number): number => top1 + panelH - (v / maxShare) * panelH;
  parts.push(`<rect x="${left}" y="${top1}" width="${width - left - right}" height="${panelH}" fill="none" stroke="#ccc"/>`, `<text x="${left}" y="${top1 - 4}">dominant share of the cluster per window, over the time both tenants had work queued</text>`);
  Object.keys(runs[0]?.windows[0]?.shares ?? {}).forEach((t, ti) => parts.push(`<text x="${width - right - 150 + ti * 70}" y="${top1 + 14}" fill="${colours[ti % colours.length]}">${esc(t)}</text>`));
  runs.forEach((r) => {
    const tenants = Object.keys(r.windows[0]?.shares ?? {});
    tenants.forEach((t, ti) => {
      const pts = r.windows.filter((w) => w.ratio.contended !== null).map((w) => `${X((w.start + w.end) / 2).toFixed(1)},${Y1(w.shares[t] ?? 0).toFixed(1)}`);
      if (pts.length) parts.push(`<polyline fill="none" stroke="${colours[ti % colours.length]}" stroke-width="${r.fairShare ? 2 : 1}" ${r.fairShare ? '' : 'stroke-dasharray="4 3"'} points="${pts.join(' ')}"/>`);
    });
  });
  // Panel 2: ratio.
  const top2 = top1 + panelH + 50;
  const ratios = all.flatMap((w) => (w.ratio.contended === null ? [] : [w.ratio.contended]));
  // Ratios far off the target (the policy alone can reach hundreds) are drawn at the top edge.
  const maxR = Math.min(target * 2.5, Math.max(target * 1.5, ...ratios));
  const Y2 = (v: number): number => top2 + panelH - (Math.min(v, maxR) / maxR) * panelH;
  parts.push(
    `<rect x="${left}" y="${top2}" width="${width - left - right}" height="${panelH}" fill="none" stroke="#ccc"/>`,
    `<rect x="${left}" y="${Y2(target * (1 + tolerance)).toFixed(1)}" width="${width - left - right}" height="${(Y2(target * (1 - tolerance)) - Y2(target * (1 + tolerance))).toFixed(1)}" fill="#d3f9d8"/>`,
    `<line x1="${left}" x2="${width - right}" y1="${Y2(target).toFixed(1)}" y2="${Y2(target).toFixed(1)}" stroke="#2b8a3e"/>`,
    `<text x="${left}" y="${top2 - 4}">share ratio t0 ÷ t1 per window (target ${target}, band ±${(tolerance * 100).toFixed(0)} %); solid: fair share (DRF), dashed: the policy alone</text>`,
  );
  for (const v of [0, target, maxR]) parts.push(`<text x="${left - 6}" y="${(Y2(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(1)}</text>`);
  runs.forEach((r, i) => {
    const pts = r.windows.filter((w) => w.ratio.contended !== null).map((w) => `${X((w.start + w.end) / 2).toFixed(1)},${Y2(w.ratio.contended as number).toFixed(1)}`);
    if (pts.length) parts.push(`<polyline fill="none" stroke="${colours[(i + 2) % colours.length]}" stroke-width="${r.fairShare ? 2 : 1}" ${r.fairShare ? '' : 'stroke-dasharray="4 3"'} points="${pts.join(' ')}"/>`);
    parts.push(`<text x="${left + 10}" y="${top2 + panelH + 32 + i * 14}" fill="${colours[(i + 2) % colours.length]}">${esc(r.policy)}: overall ${f3(r.byCondition.contended.ratio.dominant)} while both queued, ${f3(r.byCondition.backlogged.ratio.dominant)} while both backlogged</text>`);
  });
  const hours = (x1 - x0) / 3600;
  for (let h = 0; h <= hours; h += Math.max(1, Math.ceil(hours / 12))) parts.push(`<text x="${X(x0 + h * 3600).toFixed(1)}" y="${top2 + panelH + 14}" text-anchor="middle">${h} h</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

interface Opts {
  trace: string;
  weights: string;
  policies: string;
  load: string;
  sample: string;
  maxInstancesPerTask: string;
  windowSeconds: string;
  minContended: string;
  tolerance: string;
  noiseSigma: string;
  failures: string;
  placement: string;
  seed: string;
  seeds: string;
  protectSeconds: string;
  json?: string;
  svg?: string;
}

export function register(bench: Command): void {
  bench
    .command('fair-share')
    .description('two tenants with weights compete on the Alibaba trace: share of allocated resources over time, each policy alone and under weighted DRF')
    .option('--trace <csv>', 'Alibaba 2017 batch_task.csv', DEFAULT_TRACE)
    .option('--weights <list>', 'tenant weights; tenants t0, t1, … are assigned by hash(job) mod n', '2,1')
    .option('--policies <list>', `inner ordering policies (${POLICY_NAMES.join(',')})`, 'fifo')
    .option('--load <x|saturate>', 'offered load ρ of the tenants together (usual definition), or `saturate`: the largest cluster on which each tenant alone offers ρ ≥ 1', 'saturate')
    .option('--sample <f>', 'fraction of jobs kept (by hash)', '0.1')
    .option('--max-instances-per-task <n>', 'cap on instances per task (0 = as in the trace)', '64')
    .option('--window-seconds <s>', 'width of a reporting window', '1800')
    .option('--min-contended <f>', 'a window counts when the condition (both queued / both backlogged) held for at least this fraction of it', '0.5')
    .option('--tolerance <f>', 'the band around the target ratio', '0.05')
    .option('--noise-sigma <σ>', 'per-instance duration noise', String(DEFAULT_NOISE_SIGMA))
    .option('--failures <p>', 'transient failure probability per attempt', '0')
    .option('--placement <name>', 'placement strategy', 'best-fit')
    .option('--seed <n>', 'seed of noise, failures and jitter', '1')
    .option('--protect-seconds <s>', 'FairSharePolicy protectSeconds (0: no entitlement cap for a blocked tenant, plain work-conserving DRF)', '3600')
    .option('--seeds <n>', 'run seeds seed … seed + n − 1 (the chart and window table show the first)', '1')
    .option('--json <file>', 'write results as JSON')
    .option('--svg <file>', 'write the share and ratio chart')
    .action((o: Opts) => {
      const weights = parseWeights(o.weights);
      const tenants = weights.map((_, i) => `t${i}`);
      if (tenants.length !== 2) throw new BenchArgError('--weights: the share-ratio report compares exactly two tenants');
      const load = o.load === 'saturate' ? null : num('load', o.load, 0.01, 100);
      const sample = num('sample', o.sample, 1e-6, 1);
      const cap = num('max-instances-per-task', o.maxInstancesPerTask, 0, 1e9, true);
      const window = num('window-seconds', o.windowSeconds, 1, 1e9);
      const minContended = num('min-contended', o.minContended, 0, 1);
      const tolerance = num('tolerance', o.tolerance, 0, 10);
      const sigma = num('noise-sigma', o.noiseSigma, 0, 5);
      const failures = num('failures', o.failures, 0, 0.99);
      const seed = num('seed', o.seed, 0, 2 ** 31, true);
      const seeds = num('seeds', o.seeds, 1, 100, true);
      const protectSeconds = num('protect-seconds', o.protectSeconds, 0, 1e9);
      const policies = o.policies.split(',').map((s) => s.trim()).filter(Boolean);
      for (const p of policies) if (!(POLICY_NAMES as readonly string[]).includes(p)) throw new BenchArgError(`--policies: unknown policy "${p}"`);
      let text: string;
      try {
        text = readFileSync(o.trace, 'utf8');
      } catch (e) {
        throw new SchedulingError('TRACE_IO', `${o.trace}: cannot read (${e instanceof Error ? e.message : String(e)})`);
      }
      const started = new Date().toISOString();
      const load0 = loadavg()[0] ?? 0;
      const parsed = parseAlibabaBatchTasks(text, o.trace);
      const tasks = capInstances(sampleJobs(alibabaToTasks(parsed.rows, { tenants: tenants.length }), sample), cap);
      // The cluster is sized once, on the first seed's realised durations, and kept for every seed.
      // `saturate`: the most machines on which each tenant alone still offers ρ ≥ 1 (its own work
      // could keep the whole cluster busy), so neither runs out of demand for its share.
      const sized = (l: number, ts: readonly Task[]) => sizeCluster(ts, realiseInstanceDurations(ts, { sigma, seed }), l, ALIBABA_MACHINE);
      const count = load !== null ? sized(load, tasks).nodes.length : Math.min(...tenants.map((t) => sized(1, tasks.filter((x) => x.tenant === t)).nodes.length));
      const nodes: NodeSpec[] = Array.from({ length: count }, (_, i) => ({ id: `n${i}`, capacity: ALIBABA_MACHINE, labels: { pool: 'batch' } }));
      const capacity = Object.fromEntries(Object.keys(ALIBABA_MACHINE).map((k) => [k, ALIBABA_MACHINE[k as keyof Resources] * count])) as unknown as Resources;
      const offered = offeredLoad(tasks, realiseInstanceDurations(tasks, { sigma, seed }), capacity);
      const perTenant = Object.fromEntries(tenants.map((t) => {
        const idx = tasks.map((x, i) => (x.tenant === t ? i : -1)).filter((i) => i >= 0);
        const sub = idx.map((i) => tasks[i] as Task);
        const subDur = realiseInstanceDurations(sub, { sigma, seed });
        return [t, { tasks: sub.length, instances: sub.reduce((s, x) => s + x.instances, 0), rho: offeredLoad(sub, subDur, capacity).rho }];
      }));
      const origin = offered.firstArrival;
      log(`trace ${o.trace}: ${tasks.length} tasks (${parsed.skippedTotal} rows skipped), ${nodes.length} nodes of ${ALIBABA_MACHINE.cpuMillis / 1000} cores / ${ALIBABA_MACHINE.memMb} MB, ρ ${offered.rho.toFixed(3)} on ${offered.bottleneck}`);
      for (const [t, s] of Object.entries(perTenant)) log(`  ${t} (weight ${weights[tenants.indexOf(t)]}): ${s.tasks} tasks, ${s.instances} instances, ρ alone ${s.rho.toFixed(3)}`);
      const target = (weights[0] ?? 1) / (weights[1] ?? 1);
      const runs: RunResult[] = [];
      for (let sd = seed; sd < seed + seeds; sd++) {
        const setup: Setup = { tasks, nodes, durations: realiseInstanceDurations(tasks, { sigma, seed: sd }), tenants, weights, machine: ALIBABA_MACHINE };
        for (const p of policies) {
          for (const fair of [false, true]) {
            log(`running ${fair ? `drf(${p})` : p} seed ${sd} …`);
            runs.push(runOnce(setup, p, fair, { seed: sd, window, minContended, tolerance, failures, placement: o.placement, protectSeconds }));
          }
        }
      }
      let commit = 'unknown';
      try {
        commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
      } catch {
        /* not a checkout */
      }
      const header = `bench fair-share ${started} commit ${commit}, ${cpus().length} cores, load average ${load0.toFixed(1)} at start; weights ${weights.join(':')} (target ratio ${target}), ρ ${offered.rho.toFixed(3)}, ${nodes.length} nodes, sample ${sample}, ≤ ${cap || '∞'} instances/task, σ ${sigma}, failures ${failures}, protectSeconds ${protectSeconds}, window ${window} s, seeds ${seed}…${seed + seeds - 1}`;
      process.stdout.write(`${header}\n\n${formatTable(runs, target, tolerance)}\n`);
      const drfRun = runs.find((r) => r.fairShare);
      if (drfRun) process.stdout.write(`\nper window, ${drfRun.policy} (a ratio is shown where its condition held ≥ ${(minContended * 100).toFixed(0)} % of the window):\n${windowTable(drfRun, origin)}\n`);
      if (o.json) {
        writeFileSync(o.json, JSON.stringify({ started, commit, cores: cpus().length, loadAverage: load0, options: o, weights, tenants, perTenant, offered, nodes: nodes.length, origin, target, runs }, null, 2));
        log(`wrote ${o.json}`);
      }
      if (o.svg) {
        writeFileSync(o.svg, renderSvg(runs.filter((r) => r.seed === seed), origin, target, tolerance, `Two tenants, weights ${weights.join(':')}, Alibaba 2017 (ρ ${offered.rho.toFixed(2)}): share of allocated resources`));
        log(`wrote ${o.svg}`);
      }
    });
}
