// `kairos bench replay`: drives the live platform — standalone (one process: gateway + executor +
// analyzer, PostgreSQL) or distributed (gateway + 2 executors, Kafka test broker) — with a time-compressed window of the shipped Alibaba trace, once per policy,
// and runs the simulator on the very same window (same tasks, same realised per-instance durations,
// same compression, same node count) to compare mean and p95 wait per task and per instance.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Client } from 'pg';
import {
  ALIBABA_MACHINE,
  DEFAULT_RETRY_POLICY,
  HistoryDurationEstimator,
  capInstances,
  createPlacement,
  createPolicy,
  parseWindowSpec,
  realiseInstanceDurations,
  resolveWindow,
  resources,
  sampleJobs,
  seededRng,
  selectArrivalWindow,
  simulate,
  sizeCluster,
  summariseWaits,
  type RealisedDurations,
  type Resources,
  type Summary,
  type Task,
} from '@kairos/scheduling-core';
import { exited, scratchDatabase, startDistributed, startService, waitHealthy } from './live-platform';
import { BenchArgError, intArg, loadTrace, log, numArg } from './schedule.bench';

type ReplayMode = 'standalone' | 'distributed';
const DEFAULT_TRACE = 'alibaba2017:../shared/datasets/alibaba-2017/batch_task.csv';
/** The admin key given to the spawned standalone (KAIROS_ADMIN_KEY); a run-local value. */
const BENCH_KEY = 'kairos_00000000000000be_benchbenchbenchbenchbenchbenchbenchbenchben';

export interface ReplayWindow {
  /** Tasks in arrival order, arrival and durations already compressed (live seconds, first arrival 0). */
  readonly tasks: Task[];
  readonly durations: RealisedDurations;
  readonly nodes: number;
  /** Capacity of each node (an Alibaba machine, or a same-shape fraction of one at low volume). */
  readonly machine: Resources;
  readonly offeredLoad: number;
  readonly traceSpanSeconds: number;
}

/**
 * The replayed window: the first `maxTasks` tasks (arrival order) of the window's sampled jobs
 * (`sample`: the fraction of jobs kept, all tasks of a kept job, deterministic), instances capped,
 * realised per-instance durations drawn once (noise σ, seed) and then divided by `compress` with the
 * arrivals; the node count (Alibaba machines) gives offered load `load` on the bottleneck resource.
 */
export function prepareReplay(all: readonly Task[], o: { window: string; sample: number; maxTasks: number; cap: number; compress: number; sigma: number; seed: number; load: number; minNodes?: number }): ReplayWindow {
  const capped = capInstances([...all], o.cap);
  const inWindow = sampleJobs(selectArrivalWindow(capped, resolveWindow(parseWindowSpec(o.window), capped)), o.sample)
    .slice()
    .sort((a, b) => a.arrival - b.arrival || a.id.localeCompare(b.id))
    .slice(0, o.maxTasks);
  if (inWindow.length < 2) throw new BenchArgError(`--window/--tasks: only ${inWindow.length} task(s) to replay`);
  const first = inWindow[0]!.arrival;
  const raw = realiseInstanceDurations(inWindow, { sigma: o.sigma, seed: o.seed });
  const tasks = inWindow.map((t) => ({ ...t, arrival: (t.arrival - first) / o.compress, duration: { actual: (t.duration.actual ?? 1) / o.compress } }));
  const durations: RealisedDurations = { noise: raw.noise, offsets: raw.offsets, seconds: raw.seconds.map((s) => s / o.compress) };
  // Whole Alibaba machines while the load needs at least one; below that, one machine shrunk (same
  // shape) to the load — it must still hold the largest request of the window.
  // `minNodes` (distributed mode: one node per executor at least): that many same-shape fractions of
  // one machine, together sized to the load, when whole machines would give fewer nodes.
  const minNodes = o.minNodes ?? 1;
  let { nodes, offered } = sizeCluster(tasks, durations, o.load, ALIBABA_MACHINE);
  let machine: Resources = ALIBABA_MACHINE;
  if (nodes.length < minNodes || (nodes.length === 1 && offered.rho < o.load)) {
    const count = Math.max(minNodes, 1);
    const f = (offered.rho * nodes.length) / (o.load * count);
    machine = resources({ cpuMillis: Math.floor(ALIBABA_MACHINE.cpuMillis * f), memMb: Math.floor(ALIBABA_MACHINE.memMb * f), io: ALIBABA_MACHINE.io, net: ALIBABA_MACHINE.net });
    const big = tasks.find((t) => t.request.cpuMillis > machine.cpuMillis || t.request.memMb > machine.memMb);
    if (big) throw new BenchArgError(`--load ${o.load}: ${count} node(s) sized for it (${machine.cpuMillis} mCPU, ${machine.memMb} MB each) cannot hold task ${big.id}; sample more jobs or lower the load`);
    ({ nodes, offered } = sizeCluster(tasks, durations, o.load, machine));
    if (nodes.length !== count) throw new BenchArgError(`--load ${o.load}: sizing ${count} node(s) gave ${nodes.length}; sample more jobs`);
  }
  return { tasks, durations, nodes: nodes.length, machine, offeredLoad: offered.rho, traceSpanSeconds: inWindow[inWindow.length - 1]!.arrival - first };
}

export interface WaitFigures {
  readonly perTask: Summary;
  readonly perInstance: Summary;
  readonly meanJobJct: number;
  /** Instances that started (live: within the time limit). */
  readonly started: number;
  /** Allocated ÷ capacity of CPU and memory, from the first arrival to the last instance end. */
  readonly utilisation: { readonly cpu: number; readonly mem: number };
}

/**
 * `predictor`: 'none' = the policies see no duration prediction, only what they observe (what the live
 * standalone gives them while its analyzer has no deployed model: a fresh database); 'history' = the
 * simulator's online estimator (HistoryDurationEstimator, cold, learning in simulated time).
 */
function simulateWindow(w: ReplayWindow, policy: string, seed: number, predictor: 'none' | 'history'): WaitFigures {
  const machine = w.machine;
  const nodes = Array.from({ length: w.nodes }, (_, i) => ({ id: `r${i}`, capacity: machine, labels: { pool: 'batch' } }));
  const p = createPolicy(policy, { placement: createPlacement('least-loaded'), rng: seededRng(seed), nodeCapacity: machine });
  const out = simulate(w.tasks, p, { nodes, failureProbability: 0, retry: DEFAULT_RETRY_POLICY, seed, durations: w.durations, ...(predictor === 'history' ? { predictor: new HistoryDurationEstimator() } : {}) });
  const s = summariseWaits(w.durations.offsets, out.instanceWaits);
  return { perTask: s.perTask, perInstance: s.perInstance, meanJobJct: out.metrics.meanJobJct, started: out.instanceWaits.length, utilisation: { cpu: out.metrics.utilisation.cpuMillis, mem: out.metrics.utilisation.memMb } };
}

/** Live waits grouped like the simulator's (task k's instances at offsets[k]…): instance wait = first attempt start − creation. */
export function liveFigures(w: ReplayWindow, rows: ReadonlyArray<{ name: string; created: number; started: number | null; finished: number | null }>): WaitFigures {
  const byTask = new Map<string, Array<{ created: number; started: number | null; finished: number | null }>>();
  for (const r of rows) byTask.set(r.name, [...(byTask.get(r.name) ?? []), r]);
  const offsets = new Uint32Array(w.tasks.length + 1);
  const waits: number[] = [];
  const jobs = new Map<string, { first: number; last: number }>();
  w.tasks.forEach((t, k) => {
    const rs = (byTask.get(t.id) ?? []).filter((r) => r.started !== null);
    for (const r of rs) waits.push((r.started! - r.created) / 1000);
    offsets[k + 1] = waits.length;
    const all = byTask.get(t.id) ?? [];
    if (!all.length) return;
    const j = jobs.get(t.jobId) ?? { first: Infinity, last: -Infinity };
    for (const r of all) {
      j.first = Math.min(j.first, r.created);
      j.last = Math.max(j.last, r.finished ?? Infinity);
    }
    jobs.set(t.jobId, j);
  });
  const s = summariseWaits(offsets, Float64Array.from(waits));
  const jcts = [...jobs.values()].filter((j) => Number.isFinite(j.last)).map((j) => (j.last - j.first) / 1000);
  return { perTask: s.perTask, perInstance: s.perInstance, meanJobJct: jcts.length ? jcts.reduce((a, b) => a + b, 0) / jcts.length : NaN, started: waits.length, utilisation: liveUtilisation(w, rows) };
}

/** As the simulator's: Σ request × run time ÷ (cluster capacity × (last end − first creation)), per resource. */
function liveUtilisation(w: ReplayWindow, rows: ReadonlyArray<{ name: string; created: number; started: number | null; finished: number | null }>): { cpu: number; mem: number } {
  const request = new Map(w.tasks.map((t) => [t.id, t.request]));
  let first = Infinity;
  let last = -Infinity;
  let cpu = 0;
  let mem = 0;
  for (const r of rows) {
    first = Math.min(first, r.created);
    if (r.started === null || r.finished === null) continue;
    last = Math.max(last, r.finished);
    const q = request.get(r.name);
    cpu += (q?.cpuMillis ?? 0) * (r.finished - r.started);
    mem += (q?.memMb ?? 0) * (r.finished - r.started);
  }
  const span = last - first;
  if (!(span > 0) || !w.machine) return { cpu: NaN, mem: NaN };
  return { cpu: cpu / (w.machine.cpuMillis * w.nodes * span), mem: mem / (w.machine.memMb * w.nodes * span) };
}

const pct = (live: number, sim: number): string => (sim > 0 ? `${(((live - sim) / sim) * 100).toFixed(1)} %` : 'n/a');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

export function formatReplayTable(rows: ReadonlyArray<{ policy: string; sim: WaitFigures; live: WaitFigures | null; liveSeconds: number }>): string {
  const head = ['policy', 'sim wait/task', 'live wait/task', 'Δ task', 'sim wait/inst', 'live wait/inst', 'Δ inst', 'sim p95/task', 'live p95/task', 'sim p95/inst', 'live p95/inst', 'sim JCT', 'live JCT', 'sim util cpu/mem', 'live util cpu/mem', 'live started', 'live s'];
  const util = (f: WaitFigures) => `${(f.utilisation.cpu * 100).toFixed(1)} / ${(f.utilisation.mem * 100).toFixed(1)} %`;
  const body = rows.map((r) => [
    r.policy,
    f2(r.sim.perTask.mean),
    r.live ? f2(r.live.perTask.mean) : '-',
    r.live ? pct(r.live.perTask.mean, r.sim.perTask.mean) : '-',
    f2(r.sim.perInstance.mean),
    r.live ? f2(r.live.perInstance.mean) : '-',
    r.live ? pct(r.live.perInstance.mean, r.sim.perInstance.mean) : '-',
    f2(r.sim.perTask.p95),
    r.live ? f2(r.live.perTask.p95) : '-',
    f2(r.sim.perInstance.p95),
    r.live ? f2(r.live.perInstance.p95) : '-',
    f2(r.sim.meanJobJct),
    r.live ? f2(r.live.meanJobJct) : '-',
    util(r.sim),
    r.live ? util(r.live) : '-',
    r.live ? `${r.live.started}/${r.sim.started}` : '-',
    r.liveSeconds.toFixed(0),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  return [line(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

interface ReplayOptions {
  trace: string;
  window: string;
  sample: string;
  tasks: string;
  cap: string;
  compress: string;
  load: string;
  noise: string;
  seed: string;
  policies: string;
  maxSeconds: string;
  databaseUrl: string;
  live: boolean;
  simPredictor: string;
  mode: string;
  out?: string;
}

export function register(bench: Command): void {
  bench
    .command('replay')
    .description('live replay: a compressed Alibaba window against the live platform (standalone or distributed) per policy, beside the simulator on the same window')
    .option('--trace <spec>', 'alibaba2017:<batch_task.csv>', DEFAULT_TRACE)
    .option('--window <spec>', 'arrival window (percent of the trace span, e.g. 60%:100%, or start:end in trace seconds)', '60%:100%')
    .option('--sample <fraction>', 'fraction of the window\'s jobs replayed (whole jobs, deterministic)', '0.05')
    .option('--tasks <n>', 'first N tasks of the window (arrival order)', '300')
    .option('--cap <n>', 'instances per task cap (same in the simulator)', '64')
    .option('--compress <x>', 'time compression: live seconds = trace seconds ÷ x (arrivals and durations)', '60')
    .option('--load <rho>', 'offered load on the bottleneck resource (usual definition) that sizes the node count', '0.9')
    .option('--noise <sigma>', 'per-instance lognormal duration noise σ (mean-preserving; fixed seed)', '0.5')
    .option('--seed <n>', 'seed of the duration noise', '1')
    .option('--policies <list>', 'policies to replay', 'fifo,sjf-online,backfill,mlfq')
    .option('--max-seconds <n>', 'wall-time limit per live run (submission + drain)', '280')
    .option('--database-url <url>', 'PostgreSQL admin URL (a fresh database per run is created next to it and dropped)', 'postgres://postgres@127.0.0.1:5432/test')
    .option('--sim-predictor <kind>', 'none (as live with no deployed duration model) or history (the simulator\'s online estimator)', 'none')
    .option('--mode <mode>', 'standalone (one process) or distributed (gateway + 2 executors on the Kafka test broker; at least 2 nodes)', 'standalone')
    .option('--no-live', 'simulator only')
    .option('--out <file>', 'write results as JSON')
    .action(async (o: ReplayOptions) => runReplay(o));
}

async function runReplay(o: ReplayOptions): Promise<void> {
  const seed = intArg('seed', o.seed, 1);
  const settings = {
    window: o.window,
    sample: numArg('sample', o.sample, 0.05, 0.0001, 1),
    maxTasks: intArg('tasks', o.tasks, 300, 2),
    cap: intArg('cap', o.cap, 64, 1),
    compress: numArg('compress', o.compress, 60, 1, 1e6),
    sigma: numArg('noise', o.noise, 0.5, 0, 5),
    seed,
    load: numArg('load', o.load, 0.9, 0.01, 10),
    minNodes: o.mode === 'distributed' ? 2 : 1,
  };
  const maxSeconds = intArg('max-seconds', o.maxSeconds, 280, 10);
  if (o.simPredictor !== 'none' && o.simPredictor !== 'history') throw new BenchArgError(`--sim-predictor: expected none or history, got "${o.simPredictor}"`);
  const simPredictor = o.simPredictor;
  if (o.mode !== 'standalone' && o.mode !== 'distributed') throw new BenchArgError(`--mode: expected standalone or distributed, got "${o.mode}"`);
  const mode: ReplayMode = o.mode;
  const policies = o.policies.split(',').map((p) => p.trim()).filter(Boolean);
  const trace = loadTrace(o.trace, { gang: false, seed, strict: false });
  const w = prepareReplay(trace.tasks, settings);
  const instances = w.durations.offsets[w.tasks.length]!;
  log(`replay: ${w.tasks.length} tasks, ${instances} instances, trace span ${w.traceSpanSeconds.toFixed(0)} s → ${(w.traceSpanSeconds / settings.compress).toFixed(1)} s live, ${w.nodes} node(s) of ${w.machine.cpuMillis} mCPU / ${w.machine.memMb} MB, offered load ${w.offeredLoad.toFixed(3)}`);
  const rows: Array<{ policy: string; sim: WaitFigures; live: WaitFigures | null; liveSeconds: number; predicted?: number }> = [];
  for (const policy of policies) {
    const sim = simulateWindow(w, policy, seed, simPredictor);
    log(`${policy}: simulator wait/task ${f2(sim.perTask.mean)} s, wait/instance ${f2(sim.perInstance.mean)} s`);
    let live: WaitFigures | null = null;
    let liveSeconds = 0;
    let predicted: number | undefined;
    if (o.live) {
      const r = await runLive(w, policy, mode, o.databaseUrl, maxSeconds);
      live = r.figures;
      liveSeconds = r.seconds;
      predicted = r.predicted;
      log(`${policy}: live wait/task ${f2(live.perTask.mean)} s, wait/instance ${f2(live.perInstance.mean)} s (${live.started}/${instances} started, ${r.seconds.toFixed(0)} s)`);
    }
    rows.push({ policy, sim, live, liveSeconds, predicted });
  }
  const table = formatReplayTable(rows);
  process.stdout.write(`\n${table}\n`);
  if (o.out) {
    writeFileSync(
      o.out,
      JSON.stringify(
        {
          benchmark: 'replay',
          date: new Date().toISOString(),
          machine: { cpus: cpus().length, loadavg: loadavg() },
          settings: { ...settings, mode, simPredictor, trace: o.trace, maxSeconds, tasks: w.tasks.length, instances, nodes: w.nodes, node: { cpuMillis: w.machine.cpuMillis, memMb: w.machine.memMb }, offeredLoad: w.offeredLoad },
          results: rows,
        },
        null,
        2,
      ),
    );
  }
}

interface LiveTarget {
  readonly port: number;
  readonly databaseUrl: string;
  stop(): Promise<void>;
}

/**
 * The platform under test, from the working tree's sources (as the e2e tests start services: no stale
 * build): standalone = one process on a scratch PostgreSQL database; distributed = gateway + 2 executor
 * processes on a scratch database and the Kafka test broker, the window's nodes dealt round-robin to
 * the executors (the queue's owner places on every live node of the cluster).
 */
async function startTarget(mode: ReplayMode, w: ReplayWindow, policy: string, adminUrl: string): Promise<LiveTarget> {
  const node = (i: number) => `replay-${i}:${w.machine.cpuMillis}:${w.machine.memMb}`;
  const common = { SCHEDULER_POLICY: policy, EXECUTOR_SLOTS: '10000', DATABASE_POOL_SIZE: '20' };
  const port = 3700 + Math.floor(Math.random() * 90);
  if (mode === 'distributed') {
    const executors = [0, 1].map((e) => ({
      PORT: String(port + 100 + e),
      EXECUTOR_ID: `replay-exec-${e}`,
      EXECUTOR_NODES: Array.from({ length: w.nodes }, (_, i) => i).filter((i) => i % 2 === e).map(node).join(','),
    }));
    const d = await startDistributed({ adminUrl, prefix: 'kairos_replay', adminKey: BENCH_KEY, commonEnv: common, gatewayEnv: { PORT: String(port) }, executors });
    return { port, databaseUrl: d.databaseUrl, stop: () => d.stop() };
  }
  const db = await scratchDatabase(adminUrl, 'kairos_replay');
  const dir = mkdtempSync(join(tmpdir(), 'kairos-replay-'));
  const proc = startService('standalone', { ...common, PORT: String(port), DATA_DIR: dir, DATABASE_URL: db.url, EXECUTOR_NODES: Array.from({ length: w.nodes }, (_, i) => node(i)).join(',') }, { adminKey: BENCH_KEY });
  const stop = async () => {
    proc.kill('SIGTERM');
    await exited(proc);
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  };
  try {
    await waitHealthy(port, proc, 120_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, databaseUrl: db.url, stop };
}

async function runLive(w: ReplayWindow, policy: string, mode: ReplayMode, adminUrl: string, maxSeconds: number): Promise<{ figures: WaitFigures; seconds: number; predicted: number }> {
  const target = await startTarget(mode, w, policy, adminUrl);
  const port = target.port;
  const headers = { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' };
  const pg = new Client({ connectionString: target.databaseUrl });
  try {
    await pg.connect();
    const total = w.durations.offsets[w.tasks.length]!;
    const t0 = performance.now();
    const deadline = t0 + maxSeconds * 1000;
    // Submission: each instance at its compressed arrival, at most 32 requests in flight.
    let inFlight = 0;
    let submitted = 0;
    const waiters: Array<() => void> = [];
    const post = async (body: string): Promise<void> => {
      while (inFlight >= 32) await new Promise<void>((r) => waiters.push(r));
      inFlight++;
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/tasks`, { method: 'POST', headers, body });
        if (r.status !== 201) throw new Error(`submit failed: ${r.status} ${await r.text()}`);
        await r.arrayBuffer();
        submitted++;
      } finally {
        inFlight--;
        waiters.shift()?.();
      }
    };
    const pending: Promise<void>[] = [];
    const progress = setInterval(() => {
      void pg.query<{ s: string; n: number }>(`SELECT status AS s, count(*)::int AS n FROM tasks GROUP BY status`).then(
        (r) => log(`  ${policy} live ${((performance.now() - t0) / 1000).toFixed(0)} s: submitted ${submitted}/${total}, ${r.rows.map((x) => `${x.s} ${x.n}`).join(', ')}`),
        () => undefined,
      );
    }, 10_000);
    try {
      w.tasks.forEach((t, k) => {
        pending.push(
          (async () => {
            const due = t0 + t.arrival * 1000;
            const lag = due - performance.now();
            if (lag > 0) await new Promise((r) => setTimeout(r, lag));
            const jobs: Promise<void>[] = [];
            for (let i = w.durations.offsets[k]!; i < w.durations.offsets[k + 1]!; i++) {
              const sleepMs = Math.max(1, Math.round(w.durations.seconds[i]! * 1000));
              jobs.push(
                post(
                  JSON.stringify({
                    name: t.id,
                    run: { kind: 'noop', sleepMs },
                    priority: t.priority,
                    resources: { cpuMillis: Math.round(t.request.cpuMillis), memMb: Math.round(t.request.memMb), gpu: 0 },
                    timeoutMs: Math.max(60_000, sleepMs * 4),
                    labels: { job: t.jobId },
                  }),
                ),
              );
            }
            await Promise.all(jobs);
          })(),
        );
      });
      await Promise.all(pending);
      for (;;) {
        const [{ n }] = (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE started_at IS NOT NULL OR status <> 'queued'`)).rows;
        if (n >= total || performance.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      // JCT needs the ends too: wait for the last runs within the limit.
      for (;;) {
        const [{ n }] = (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE status IN ('queued', 'running')`)).rows;
        if (n === 0 || performance.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      clearInterval(progress);
    }
    const seconds = (performance.now() - t0) / 1000;
    const rows = (
      await pg.query<{ name: string; created: Date; started: Date | null; finished: Date | null }>(
        `SELECT t.name, t.created_at AS created, a.started_at AS started, a.finished_at AS finished
         FROM tasks t LEFT JOIN attempts a ON a.task_id = t.id AND a.attempt = 1`,
      )
    ).rows.map((r) => ({ name: r.name, created: r.created.getTime(), started: r.started ? r.started.getTime() : null, finished: r.finished ? r.finished.getTime() : null }));
    const [{ n: predicted }] = (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE predicted_p50_ms IS NOT NULL`)).rows;
    return { figures: liveFigures(w, rows), seconds, predicted };
  } finally {
    await pg.end().catch(() => undefined);
    await target.stop();
  }
}
