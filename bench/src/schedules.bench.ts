import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { exited, startDistributed as startDistributedPlatform, startService, waitHealthy } from './live-platform';

// `kairos bench schedules`: N interval schedules (each every --every-ms, anchors spread evenly, so
// N ÷ every ticks per second) on the live platform — standalone (one process, PGlite), or distributed
// (gateway + 2 executors on PostgreSQL and the Kafka test broker, optionally one executor kill -9'd
// mid-run and restarted). Counts, over a measurement window, ticks missed (no task; a skipped tick
// counts as missed), ticks run twice (two tasks for one tick; separately, a task that ran again) and
// the delay from scheduled time to process start (p50 / p99 / max).

const MAX_DURATION_S = 300;

export interface TickObservation {
  readonly tickAtMs: number;
  readonly shard: number;
  readonly outcome: 'fired' | 'skipped';
  readonly delayMs: number | null;
  /** firedAt − scheduled: when the tick's task row was written (the scheduler's part of the delay). */
  readonly firedDelayMs: number | null;
  readonly attempts: number | null;
}

export interface ScheduleScore {
  expected: number;
  fired: number;
  missed: number;
  skipped: number;
  /** Ticks with more than one task (the unique key should make this 0). */
  duplicated: number;
  /** Ticks whose task ran more than once (requeued after its executor died mid-run: at-least-once). */
  reRun: number;
  /** Fired, but the task had not started by the end of the drain. */
  notStarted: number;
  delayP50Ms: number | null;
  delayP99Ms: number | null;
  delayMaxMs: number | null;
  firedP50Ms: number | null;
  firedP99Ms: number | null;
  firedMaxMs: number | null;
  /**
   * Seconds of the window (from its first tick) in which ticks started more than `LATE_MS` after their
   * instant: how many, and the worst — a tail spread thinly is not a tail from a few stalls.
   */
  lateBySecond: Array<{ second: number; late: number; maxMs: number }>;
}

/** The standalone target: a start later than this after the tick's instant is late. */
export const LATE_MS = 50;

/** The instants anchor + k·every inside [fromMs, toMs). */
export function expectedTicks(anchorMs: number, everyMs: number, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let t = anchorMs + Math.ceil((fromMs - anchorMs) / everyMs) * everyMs; t < toMs; t += everyMs) out.push(t);
  return out;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/** Scores what each schedule's history shows against the ticks it owed in the window. */
export function scoreSchedules(runs: ReadonlyArray<{ expected: readonly number[]; observed: readonly TickObservation[] }>): ScheduleScore {
  const s: ScheduleScore = { expected: 0, fired: 0, missed: 0, skipped: 0, duplicated: 0, reRun: 0, notStarted: 0, delayP50Ms: null, delayP99Ms: null, delayMaxMs: null, firedP50Ms: null, firedP99Ms: null, firedMaxMs: null, lateBySecond: [] };
  const delays: number[] = [];
  const late: Array<[number, number]> = [];
  let firstTick = Infinity;
  const firedDelays: number[] = [];
  for (const { expected, observed } of runs) {
    const byTick = new Map<number, TickObservation[]>();
    for (const o of observed) byTick.set(o.tickAtMs, [...(byTick.get(o.tickAtMs) ?? []), o]);
    for (const t of expected) {
      s.expected++;
      firstTick = Math.min(firstTick, t);
      const rows = byTick.get(t) ?? [];
      const fired = rows.filter((r) => r.outcome === 'fired');
      if (fired.length === 0) {
        s.missed++;
        if (rows.length > 0) s.skipped++;
        continue;
      }
      s.fired++;
      if (fired.length > 1) s.duplicated++;
      if (fired.some((f) => (f.attempts ?? 1) > 1)) s.reRun++;
      const firedAt = fired.map((f) => f.firedDelayMs).filter((d): d is number => d !== null);
      if (firedAt.length > 0) firedDelays.push(Math.min(...firedAt));
      const started = fired.map((f) => f.delayMs).filter((d): d is number => d !== null);
      if (started.length === 0) s.notStarted++;
      else {
        const d = Math.min(...started);
        delays.push(d);
        if (d > LATE_MS) late.push([t, d]);
      }
    }
  }
  const bySecond = new Map<number, { second: number; late: number; maxMs: number }>();
  for (const [t, d] of late) {
    const second = Math.floor((t - firstTick) / 1_000);
    const b = bySecond.get(second) ?? { second, late: 0, maxMs: 0 };
    b.late++;
    b.maxMs = Math.max(b.maxMs, d);
    bySecond.set(second, b);
  }
  s.lateBySecond = [...bySecond.values()].sort((a, b) => a.second - b.second);
  delays.sort((a, b) => a - b);
  s.delayP50Ms = percentile(delays, 0.5);
  s.delayP99Ms = percentile(delays, 0.99);
  s.delayMaxMs = delays.length > 0 ? (delays[delays.length - 1] as number) : null;
  firedDelays.sort((a, b) => a - b);
  s.firedP50Ms = percentile(firedDelays, 0.5);
  s.firedP99Ms = percentile(firedDelays, 0.99);
  s.firedMaxMs = firedDelays.length > 0 ? (firedDelays[firedDelays.length - 1] as number) : null;
  return s;
}

interface Options {
  schedules: number;
  everyMs: number;
  durationS: number;
  warmupS: number;
  mode: 'standalone' | 'distributed';
  kill: boolean;
  databaseUrl: string;
  json?: string;
  cpuProf?: string;
  slots: number;
}

function int(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: must be an integer from ${min} to ${max}, got "${v}"`);
    return n;
  };
}

export function register(bench: Command): void {
  bench
    .command('schedules')
    .description('N interval schedules on the live platform: ticks missed, run twice, delay scheduled → start (p50/p99/max)')
    .option('--schedules <n>', 'schedules', int('--schedules', 1, 100_000), 1_000)
    .option('--every-ms <ms>', 'interval of each schedule', int('--every-ms', 1_000, 3_600_000), 5_000)
    .option('--duration-s <s>', `measurement window (at most ${MAX_DURATION_S})`, int('--duration-s', 5, MAX_DURATION_S), 60)
    .option('--warmup-s <s>', 'after creating the schedules, before the window', int('--warmup-s', 1, 120), 10)
    .option('--mode <mode>', 'standalone | distributed', (v) => {
      if (v !== 'standalone' && v !== 'distributed') throw new Error(`--mode: must be standalone or distributed, got "${v}"`);
      return v;
    }, 'standalone')
    .option('--slots <n>', 'EXECUTOR_SLOTS of each executor node (attempts at once, a claimed-ahead one included)', int('--slots', 1, 100_000), 64)
    .option('--kill', 'distributed: kill -9 one executor in the middle of the window and restart it 3 s later', false)
    .option('--database-url <url>', 'distributed: PostgreSQL admin URL (a database is created and dropped)', 'postgres://postgres@127.0.0.1:5432/postgres')
    .option('--json <file>', 'write results as JSON')
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of each platform process (node --cpu-prof) into this folder')
    .action(async (o: Options) => {
      if (o.kill && o.mode !== 'distributed') throw new Error('--kill: only with --mode distributed');
      const result = await run(o);
      const { lateBySecond, ...score } = result.score;
      console.table([score]);
      const worst = [...lateBySecond].sort((a, b) => b.late - a.late).slice(0, 10);
      process.stdout.write(`late (> ${LATE_MS} ms) ticks in ${lateBySecond.length} seconds of the window; most: ${worst.map((b) => `s${b.second} ${b.late} (max ${b.maxMs} ms)`).join(', ') || 'none'}\n`);
      process.stdout.write(`${JSON.stringify({ setup: result.setup, events: result.events, loadavg: result.loadavg })}\n`);
      if (o.json) writeFileSync(o.json, JSON.stringify(result, null, 2));
    });
}

interface Platform {
  gatewayPort: number;
  executors: Array<{ proc: ChildProcess; env: Record<string, string> }>;
  setup: string;
  startExecutor(env: Record<string, string>): ChildProcess;
  stop(): Promise<void>;
}

const ADMIN_KEY = `kairos_${randomBytes(8).toString('hex')}_${randomBytes(33).toString('base64url').slice(0, 43)}`;
const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

let cpuProfDir: string | undefined;
// Sampling every 4 ms rather than V8's default 1 ms: at 1 ms the profiler itself delayed the starts it was meant to explain.
const nodeArgs = (): string[] => (cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-interval', '4000', '--cpu-prof-dir', cpuProfDir]);

async function startStandalone(slots: number): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-sched-bench-'));
  const port = 3900 + Math.floor(Math.random() * 90);
  const p = startService('standalone', { PORT: String(port), DATA_DIR: dir, EXECUTOR_NODES: 'bench-node:64000:65536', EXECUTOR_SLOTS: String(slots) }, { adminKey: ADMIN_KEY, nodeArgs: nodeArgs() });
  await waitHealthy(port, p);
  return {
    gatewayPort: port,
    executors: [],
    setup: `standalone: 1 process, PGlite, in-process bus, ${slots} slots`,
    startExecutor: () => {
      throw new Error('standalone has no separate executor');
    },
    async stop() {
      p.kill('SIGTERM');
      await exited(p);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startDistributed(adminUrl: string, slots: number): Promise<Platform> {
  const port = 4000 + Math.floor(Math.random() * 90);
  const d = await startDistributedPlatform({
    adminUrl,
    prefix: 'kairos_sched_bench',
    adminKey: ADMIN_KEY,
    nodeArgs: nodeArgs(),
    gatewayEnv: { PORT: String(port) },
    executors: [0, 1].map((i) => ({ PORT: String(port + 100 + i), EXECUTOR_ID: `bench-exec-${i}`, EXECUTOR_NODES: `bench-node-${i}:64000:65536`, EXECUTOR_SLOTS: String(slots) })),
  });
  return {
    gatewayPort: port,
    executors: d.executors,
    setup: `distributed: gateway + 2 executor processes, PostgreSQL, Kafka test broker, ${slots} slots each`,
    startExecutor: (e) => d.startExecutor(e),
    stop: () => d.stop(),
  };
}

async function api<T>(port: number, path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers }).catch((err: Error & { cause?: { code?: string; message?: string } }) => {
    throw new Error(`${init?.method ?? 'GET'} ${path}: ${err.message} (${err.cause?.code ?? err.cause?.message ?? 'no cause'})`);
  });
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

async function run(o: Options) {
  cpuProfDir = o.cpuProf;
  const platform = o.mode === 'standalone' ? await startStandalone(o.slots) : await startDistributed(o.databaseUrl, o.slots);
  const events: string[] = [];
  const load: number[][] = [loadavg()];
  const say = (m: string) => process.stderr.write(`[bench schedules ${new Date().toISOString()}] ${m}\n`);
  say(`${platform.setup}: up`);
  try {
    const port = platform.gatewayPort;
    const base = Math.ceil(Date.now() / o.everyMs) * o.everyMs;
    const anchors = Array.from({ length: o.schedules }, (_, i) => base + Math.floor((i * o.everyMs) / o.schedules));
    const created: Array<{ id: string; anchorMs: number }> = [];
    await pool([...anchors.keys()], 16, async (i) => {
      const body = {
        name: `bench-${i}`,
        template: { kind: 'task', task: { run: { kind: 'noop', sleepMs: 0 } } },
        trigger: { kind: 'interval', everyMs: o.everyMs, anchor: new Date(anchors[i] as number).toISOString() },
        misfire: { rule: 'run_once', graceMs: 60_000 },
      };
      const s = await api<{ id: string }>(port, '/api/schedules', { method: 'POST', body: JSON.stringify(body) });
      created.push({ id: s.id, anchorMs: anchors[i] as number });
    });
    say(`${created.length} schedules created`);
    const fromMs = Date.now() + o.warmupS * 1_000;
    const toMs = fromMs + o.durationS * 1_000;
    events.push(`${o.schedules} schedules created; window ${new Date(fromMs).toISOString()} → ${new Date(toMs).toISOString()}`);
    await new Promise((r) => setTimeout(r, o.warmupS * 1_000));
    if (o.kill) {
      await new Promise((r) => setTimeout(r, (o.durationS * 1_000) / 2));
      const victim = platform.executors[1];
      if (victim === undefined) throw new Error('no second executor to kill');
      victim.proc.kill('SIGKILL');
      events.push(`${new Date().toISOString()} kill -9 executor ${victim.env.EXECUTOR_ID}`);
      await exited(victim.proc);
      await new Promise((r) => setTimeout(r, 3_000));
      victim.proc = platform.startExecutor({ ...victim.env, EXECUTOR_ID: `${victim.env.EXECUTOR_ID}-restarted` });
      events.push(`${new Date().toISOString()} restarted as ${victim.env.EXECUTOR_ID}-restarted`);
    }
    const sampler = setInterval(() => load.push(loadavg()), 10_000);
    say('measuring');
    await new Promise((r) => setTimeout(r, Math.max(0, toMs - Date.now()) + 15_000)); // + drain: late ticks and starts
    clearInterval(sampler);
    say('window and drain over; pausing the schedules, then reading tick histories');
    // Paused, the platform stops firing, so an overloaded one can answer the reads (the window is over).
    await pool(created, 16, async (c) => {
      await api(port, `/api/schedules/${c.id}/pause`, { method: 'POST' }).catch((err: Error) => say(`pausing ${c.id} failed (${err.message})`));
    });
    const runs: Array<{ expected: number[]; observed: TickObservation[] }> = [];
    const perSchedule = Math.ceil(((toMs - fromMs + 60_000) / o.everyMs) * 2) + 50;
    await pool(created, 16, async (c) => {
      type TickRow = { tickAt: string; shard: number; outcome: 'fired' | 'skipped'; delayMs: number | null; firedAt: string | null; attempts: number | null };
      // Reads are idempotent: retry a failed one (a busy platform may drop a connection) before giving up.
      let ticks: TickRow[] | null = null;
      for (let attempt = 1; ticks === null; attempt++) {
        try {
          ticks = await api<TickRow[]>(port, `/api/schedules/${c.id}/ticks?limit=${Math.min(1000, perSchedule)}`);
        } catch (err) {
          if (attempt >= 5) throw err;
          say(`reading ${c.id} failed (${(err as Error).message}); retrying`);
          await new Promise((r) => setTimeout(r, 1_000 * attempt));
        }
      }
      runs.push({
        expected: expectedTicks(c.anchorMs, o.everyMs, fromMs, toMs),
        observed: ticks.map((t) => {
          const tickAtMs = Date.parse(t.tickAt);
          return { tickAtMs, shard: t.shard, outcome: t.outcome, delayMs: t.delayMs, firedDelayMs: t.firedAt === null ? null : Date.parse(t.firedAt) - tickAtMs, attempts: t.attempts };
        }),
      });
    });
    say('histories read');
    return {
      benchmark: 'schedules',
      date: new Date().toISOString(),
      settings: { schedules: o.schedules, slots: o.slots, everyMs: o.everyMs, ticksPerSecond: (o.schedules * 1_000) / o.everyMs, durationS: o.durationS, warmupS: o.warmupS, mode: o.mode, kill: o.kill, misfire: 'run_once' },
      setup: platform.setup,
      machine: { cpus: cpus().length },
      loadavg: load,
      events,
      score: scoreSchedules(runs),
    };
  } finally {
    await platform.stop();
  }
}
