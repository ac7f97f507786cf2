// `kairos bench schedules-core`: the schedules core alone (planner loop + TickWheel + firing
// decisions), no database and no processes: N schedules each ticking every `everyMs`, on a real
// timer (or virtual time) for a while. Reports how much the core costs per tick and how late the
// wheel hands ticks over, to show the core is not what limits `bench schedules` (the follow-up).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import type { Command } from 'commander';
import { ScheduleSchema } from '@kairos/contracts';
import { realTimer } from '@kairos/platform';
import { ManualTimer, ScheduleRuntime, TickPlannerLoop, compileSchedule, type CompiledSchedule, type TimerService } from '@kairos/scheduling-core';

export const REGIMES = ['interval-even', 'interval-aligned', 'cron-aligned'] as const;
export type Regime = (typeof REGIMES)[number];

export interface CoreBenchOptions {
  readonly regime: Regime;
  readonly schedules: number;
  readonly everyMs: number;
  readonly durationMs: number;
  /** IANA zone of the cron regime (a named zone takes croner's Intl path, the costly one). */
  readonly timezone: string;
  readonly shards: number;
  readonly horizonMs: number;
  readonly refillEveryMs: number;
  readonly sliceBudgetMs: number;
}

export interface Quantiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface CoreBenchResult {
  readonly regime: Regime;
  readonly clock: 'real' | 'virtual';
  readonly schedules: number;
  readonly everyMs: number;
  readonly offeredTicksPerSecond: number;
  readonly durationS: number;
  /** Ticks due in (start, end − 1 s] (later ones may legitimately still be in the wheel). */
  readonly expectedTicks: number;
  readonly firedTicks: number;
  readonly missedTicks: number;
  readonly duplicateTicks: number;
  readonly planUsPerTick: number;
  /** Building a planned tick's shard submissions ahead of time (in the planning slices), per tick. */
  readonly prepareUsPerTick: number;
  /** Longest planning slice (planTicks + prepare), i.e. the longest the planner held the event loop. */
  readonly maxPlanSliceMs: number;
  /** At firing: decideTick (pause, breaker, concurrency) + bookkeeping, per fired tick. */
  readonly fireUsPerTick: number;
  /** Firing instant (scheduled + jitter) → the wheel's callback: the timer and heap alone. */
  readonly timerLatenessMs: Quantiles;
  /** Firing instant → the tick's submissions built and its batch ready to write. */
  readonly readyLatenessMs: Quantiles;
  /** Process CPU time over the run ÷ wall time (100 % = one core). */
  readonly cpuPercent: number;
  /** Event-loop delay p99 over the run (real clock only). */
  readonly eventLoopDelayP99Ms: number | null;
}

export interface BenchClock {
  readonly kind: 'real' | 'virtual';
  readonly timer: TimerService;
  /** High-resolution ms for cost measurement. */
  readonly stopwatch: () => number;
  wait(ms: number): Promise<void>;
}

/** Epoch ms with performance.now resolution; setTimeout for delays, setImmediate for 0 (libs/platform realTimer). */
export function realClock(): BenchClock {
  const timer: TimerService = realTimer;
  return { kind: 'real', timer, stopwatch: () => performance.now(), wait: (ms) => new Promise((r) => setTimeout(r, ms)) };
}

/** Virtual time: only costs are meaningful (lateness is 0 by construction). */
export function virtualClock(startMs: number): BenchClock {
  const timer = new ManualTimer(startMs);
  return {
    kind: 'virtual',
    timer,
    stopwatch: () => performance.now(),
    wait: (ms) => {
      timer.advanceBy(ms);
      return Promise.resolve();
    },
  };
}

/** Nearest-rank quantile of ascending values (0 for none). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

function quantiles(values: number[]): Quantiles {
  const s = [...values].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s.length ? (s[s.length - 1] as number) : 0 };
}

/** The benchmark's schedules: ids bench-<i>, created at `createdAtMs`, noop task template. */
export function benchSchedules(o: CoreBenchOptions, createdAtMs: number): CompiledSchedule[] {
  if (o.regime === 'cron-aligned' && !(o.everyMs % 1_000 === 0 && 60_000 % o.everyMs === 0)) {
    throw new Error(`--every-ms ${o.everyMs}: the cron regime needs whole seconds dividing a minute (*/k seconds)`);
  }
  const createdAt = new Date(createdAtMs).toISOString();
  return Array.from({ length: o.schedules }, (_, i) => {
    const trigger =
      o.regime === 'cron-aligned'
        ? { kind: 'cron' as const, expression: `*/${o.everyMs / 1_000} * * * * *`, timezone: o.timezone }
        : { kind: 'interval' as const, everyMs: o.everyMs, anchor: new Date(createdAtMs + (o.regime === 'interval-even' ? Math.floor((i * o.everyMs) / o.schedules) : 0)).toISOString() };
    return compileSchedule(
      ScheduleSchema.parse({
        id: `bench-${i}`,
        name: `bench ${i}`,
        createdAt,
        template: { kind: 'task', task: { run: { kind: 'noop' } } },
        trigger,
        shards: o.shards,
        misfire: { rule: 'run_once' },
      }),
    );
  });
}

/** One run: plan and fire for `durationMs` on the given clock; runs end as soon as they fire. */
export async function runSchedulesCore(o: CoreBenchOptions, clock: BenchClock): Promise<CoreBenchResult> {
  const { timer, stopwatch } = clock;
  const startMs = Math.ceil(timer.nowMs());
  const list = benchSchedules(o, startMs);
  const runtime = new ScheduleRuntime();
  const fired = new Map<string, number>();
  let duplicates = 0;
  let missed = 0;
  let fireMs = 0;
  let prepareMs = 0;
  let prepared = 0;
  let firedCount = 0;
  const timerLate: number[] = [];
  const readyLate: number[] = [];
  const loop = new TickPlannerLoop(
    timer,
    {
      onPlanned(ticks) {
        const t0 = stopwatch();
        runtime.prepare(ticks);
        prepareMs += stopwatch() - t0;
        prepared += ticks.length;
      },
      onDue(ticks, nowMs) {
        const t0 = stopwatch();
        const batch = runtime.decide(ticks, nowMs);
        for (const f of batch.fired) for (const s of f.submissions) runtime.onShardEnded(f.tick.scheduleId, f.tick.key, s.key, 'succeeded', nowMs);
        fireMs += stopwatch() - t0;
        const ready = timer.nowMs();
        for (const f of batch.fired) {
          if (fired.has(f.tick.key)) duplicates++;
          fired.set(f.tick.key, f.tick.scheduledAtMs);
          timerLate.push(nowMs - f.tick.fireAtMs);
          readyLate.push(ready - f.tick.fireAtMs);
          firedCount++;
        }
        missed += batch.skipped.length;
      },
      onMissed(records) {
        missed += records.length;
      },
    },
    { horizonMs: o.horizonMs, refillEveryMs: o.refillEveryMs, sliceBudgetMs: o.sliceBudgetMs, stopwatch },
  );
  for (const s of list) {
    runtime.upsert(s.definition);
    loop.upsert(s);
  }
  const eld = clock.kind === 'real' ? monitorEventLoopDelay({ resolution: 1 }) : null;
  eld?.enable();
  const cpu0 = process.cpuUsage();
  const wall0 = stopwatch();
  loop.start();
  await clock.wait(o.durationMs);
  loop.stop();
  const wallMs = stopwatch() - wall0;
  const cpu = process.cpuUsage(cpu0);
  eld?.disable();
  const endMs = startMs + o.durationMs;
  const cutoff = endMs - 1_000;
  let expected = 0;
  for (const s of list) for (let t = s.timeline.nextAfter(startMs); t !== null && t <= cutoff; t = s.timeline.nextAfter(t)) expected++;
  let firedBeforeCutoff = 0;
  for (const at of fired.values()) if (at <= cutoff) firedBeforeCutoff++;
  const stats = loop.getStats();
  return {
    regime: o.regime,
    clock: clock.kind,
    schedules: o.schedules,
    everyMs: o.everyMs,
    offeredTicksPerSecond: (o.schedules * 1_000) / o.everyMs,
    durationS: o.durationMs / 1_000,
    expectedTicks: expected,
    firedTicks: firedCount,
    missedTicks: missed + Math.max(0, expected - firedBeforeCutoff),
    duplicateTicks: duplicates,
    planUsPerTick: stats.ticksPlanned ? (stats.planMs * 1_000) / stats.ticksPlanned : 0,
    prepareUsPerTick: prepared ? (prepareMs * 1_000) / prepared : 0,
    maxPlanSliceMs: stats.maxSliceMs,
    fireUsPerTick: firedCount ? (fireMs * 1_000) / firedCount : 0,
    timerLatenessMs: quantiles(timerLate),
    readyLatenessMs: quantiles(readyLate),
    cpuPercent: ((cpu.user + cpu.system) / 1_000 / wallMs) * 100,
    eventLoopDelayP99Ms: eld ? eld.percentile(99) / 1e6 : null,
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Markdown table: per regime, the median over runs of each figure, the worst run's p99 and max. */
export function formatCoreTable(byRegime: ReadonlyMap<Regime, readonly CoreBenchResult[]>): string {
  const f = (x: number, d = 2): string => x.toFixed(d);
  const head = ['regime', 'runs', 'ticks/s', 'fired', 'missed', 'dup', 'plan µs/tick', 'prepare µs/tick', 'max slice ms', 'fire µs/tick', 'timer late p50/p99/max ms', 'ready late p50/p99/max ms (worst p99)', 'cpu %', 'loop delay p99 ms'];
  const rows = [...byRegime.entries()].map(([regime, rs]) => [
    regime,
    String(rs.length),
    f(rs[0]?.offeredTicksPerSecond ?? 0, 0),
    String(rs.reduce((a, r) => a + r.firedTicks, 0)),
    String(rs.reduce((a, r) => a + r.missedTicks, 0)),
    String(rs.reduce((a, r) => a + r.duplicateTicks, 0)),
    f(median(rs.map((r) => r.planUsPerTick)), 1),
    f(median(rs.map((r) => r.prepareUsPerTick)), 1),
    f(Math.max(...rs.map((r) => r.maxPlanSliceMs))),
    f(median(rs.map((r) => r.fireUsPerTick)), 1),
    `${f(median(rs.map((r) => r.timerLatenessMs.p50)))} / ${f(median(rs.map((r) => r.timerLatenessMs.p99)))} / ${f(Math.max(...rs.map((r) => r.timerLatenessMs.max)))}`,
    `${f(median(rs.map((r) => r.readyLatenessMs.p50)))} / ${f(median(rs.map((r) => r.readyLatenessMs.p99)))} / ${f(Math.max(...rs.map((r) => r.readyLatenessMs.max)))} (${f(Math.max(...rs.map((r) => r.readyLatenessMs.p99)))})`,
    f(median(rs.map((r) => r.cpuPercent)), 1),
    rs[0]?.eventLoopDelayP99Ms === null ? '—' : f(median(rs.map((r) => r.eventLoopDelayP99Ms ?? 0))),
  ]);
  return [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function positiveInt(flag: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got "${v}"`);
    return n;
  };
}

export function parseRegimes(v: string): Regime[] {
  const out: Regime[] = [];
  for (const name of v.split(',').map((s) => s.trim())) {
    if (!(REGIMES as readonly string[]).includes(name)) throw new Error(`--regimes: unknown regime "${name}" (expected a comma-separated subset of ${REGIMES.join(',')})`);
    if (!out.includes(name as Regime)) out.push(name as Regime);
  }
  return out;
}

interface CliOptions {
  schedules: number;
  everyMs: number;
  durationS: number;
  runs: number;
  regimes: Regime[];
  timezone: string;
  shards: number;
  horizonMs: number;
  refillEveryMs: number;
  sliceBudgetMs: number;
  clock: 'real' | 'virtual';
  json?: string;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function register(bench: Command): void {
  bench
    .command('schedules-core')
    .description('the schedules core alone (planner loop, TickWheel, firing decisions): cost per tick and wheel lateness, no database')
    .option('--schedules <n>', 'schedules', positiveInt('--schedules'), 1_000)
    .option('--every-ms <ms>', 'each schedule ticks this often', positiveInt('--every-ms'), 5_000)
    .option('--duration-s <s>', 'seconds per run', positiveInt('--duration-s'), 60)
    .option('--runs <n>', 'runs per regime (medians reported)', positiveInt('--runs'), 3)
    .option('--regimes <list>', `comma-separated subset of ${REGIMES.join(',')}`, parseRegimes, [...REGIMES])
    .option('--timezone <tz>', 'IANA zone of the cron regime', 'Europe/Berlin')
    .option('--shards <n>', 'shards per tick', positiveInt('--shards'), 1)
    .option('--horizon-ms <ms>', 'plan this far ahead', positiveInt('--horizon-ms'), 3_000)
    .option('--refill-every-ms <ms>', 'planning period', positiveInt('--refill-every-ms'), 500)
    .option('--slice-budget-ms <ms>', 'longest planning slice before yielding', positiveInt('--slice-budget-ms'), 2)
    .option('--clock <kind>', 'real (timers, wall time) or virtual (costs only)', (v) => {
      if (v !== 'real' && v !== 'virtual') throw new Error(`--clock: expected real or virtual, got "${v}"`);
      return v;
    }, 'real')
    .option('--json <file>', 'write results as JSON')
    .action(async (o: CliOptions) => {
      const started = new Date().toISOString();
      const load = loadavg();
      const byRegime = new Map<Regime, CoreBenchResult[]>();
      for (const regime of o.regimes) {
        const rs: CoreBenchResult[] = [];
        for (let run = 0; run < o.runs; run++) {
          const clock = o.clock === 'real' ? realClock() : virtualClock(Date.parse('2025-01-01T00:00:00Z'));
          const opts: CoreBenchOptions = { regime, schedules: o.schedules, everyMs: o.everyMs, durationMs: o.durationS * 1_000, timezone: o.timezone, shards: o.shards, horizonMs: o.horizonMs, refillEveryMs: o.refillEveryMs, sliceBudgetMs: o.sliceBudgetMs };
          const r = await runSchedulesCore(opts, clock);
          process.stderr.write(`${regime} run ${run + 1}/${o.runs}: fired ${r.firedTicks}, missed ${r.missedTicks}, ready late p99 ${r.readyLatenessMs.p99.toFixed(2)} ms, plan ${r.planUsPerTick.toFixed(1)} µs/tick\n`);
          rs.push(r);
        }
        byRegime.set(regime, rs);
      }
      const header = `bench schedules-core — ${started}, commit ${gitCommit()}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${load.map((x) => x.toFixed(2)).join(' ')} at start, clock ${o.clock}, ${o.schedules} schedules every ${o.everyMs} ms, ${o.durationS} s × ${o.runs} runs`;
      process.stdout.write(`${header}\n\n${formatCoreTable(byRegime)}\n`);
      if (o.json) {
        writeFileSync(o.json, JSON.stringify({ benchmark: 'schedules-core', date: started, commit: gitCommit(), machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtStart: load }, settings: o, results: Object.fromEntries(byRegime) }, null, 2));
      }
    });
}
