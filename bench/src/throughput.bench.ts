import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { generateApiKey } from '@kairos/platform';
import { REPO_ROOT, exited, startDistributed, startService, waitHealthy } from './live-platform';
import { runPeer } from './throughput.peers';
import { SYSTEMS, formatReport, parseSystems, positiveInt, quantile, ratiosToPeers, round2, urlOption, verdicts, type SystemName, type ThroughputResult } from './throughput.report';

const MAIN = (app: string) => join(REPO_ROOT, 'dist', 'apps', app, 'src', 'main.js');

type Result = ThroughputResult;

/** Executor slots given to each Kairos executor (standalone's built-in one included); the peers' default worker concurrency. */
const KAIROS_SLOTS = 256;

interface Options {
  tasks: number;
  concurrency: number;
  systems: SystemName[];
  databaseUrl: string;
  redisUrl: string;
  executors: number;
  workerConcurrency: number;
  bulk: boolean;
  json?: string;
}

/**
 * End-to-end throughput of no-op tasks, Kairos and its peers side by side in one run. Kairos: submitted
 * over the REST API (bounded concurrency) until every one is persisted as succeeded; standalone is one
 * process (in-process bus, PGlite), distributed is gateway + executor(s) as processes on the Kafka test
 * broker and PostgreSQL. Peers (throughput.peers.ts): BullMQ, pg-boss, graphile-worker with the same
 * number of jobs and the same client loop, each with a worker in a separate process.
 */
export function register(bench: Command): void {
  bench
    .command('throughput')
    .description('end-to-end throughput of no-op tasks: Kairos standalone and distributed, BullMQ, pg-boss, graphile-worker side by side')
    .option('--tasks <n>', 'tasks (jobs) per system', (v) => positiveInt('--tasks', v), 2000)
    .option('--concurrency <n>', 'concurrent submissions (client loops, one task per call)', (v) => positiveInt('--concurrency', v), 32)
    .option('--systems <list>', `comma-separated subset of ${SYSTEMS.join(',')}`, parseSystems, [...SYSTEMS])
    .option('--database-url <url>', 'PostgreSQL admin URL (a fresh database per run is created next to it and dropped)', urlOption('--database-url', ['postgres:', 'postgresql:']), 'postgres://postgres@127.0.0.1:5432/test')
    .option('--redis-url <url>', 'Redis URL for BullMQ', urlOption('--redis-url', ['redis:']), 'redis://127.0.0.1:6379')
    .option('--executors <n>', 'executor processes in kairos-distributed', (v) => positiveInt('--executors', v), 1)
    .option('--worker-concurrency <n>', 'jobs a peer worker runs at once (BullMQ concurrency, pg-boss batchSize, graphile-worker concurrency); default: a Kairos executor\'s slots', (v) => positiveInt('--worker-concurrency', v), KAIROS_SLOTS)
    .option('--bulk', "also run each peer with its bulk-enqueue API (reference rows, not the comparison)", false)
    .option('--json <file>', 'write results as JSON', (v) => jsonPath(v))
    .action(async (o: Options) => {
      if (!existsSync(MAIN('standalone'))) throw new Error(`${MAIN('standalone')} not found: run \`npm run build\` first`);
      const results: Result[] = [];
      for (const system of o.systems) {
        process.stderr.write(`== ${system}\n`);
        if (system === 'kairos-standalone') results.push(await runStandalone(o.tasks, o.concurrency));
        else if (system === 'kairos-distributed') results.push(await runDistributed(o.tasks, o.concurrency, o.databaseUrl, o.executors));
        else {
          const peer = { tasks: o.tasks, concurrency: o.concurrency, workerConcurrency: o.workerConcurrency, databaseUrl: o.databaseUrl, redisUrl: o.redisUrl };
          results.push(await runPeer(system, { ...peer, enqueue: 'single' }));
          if (o.bulk) results.push(await runPeer(system, { ...peer, enqueue: 'bulk' }));
        }
      }
      const report = formatReport(results);
      process.stdout.write(`\n${report}\n`);
      if (o.json) {
        const ratios = ratiosToPeers(results);
        writeFileSync(
          o.json,
          JSON.stringify(
            {
              benchmark: 'throughput',
              date: new Date().toISOString(),
              settings: { tasks: o.tasks, concurrency: o.concurrency, executors: o.executors, workerConcurrency: o.workerConcurrency, kairosExecutorSlots: KAIROS_SLOTS },
              machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg(), totalMemGiB: round2(totalmem() / 2 ** 30) },
              results: results.map((r, i) => ({ ...r, ratioToPeers: ratios[i] })),
              verdicts: verdicts(results),
            },
            null,
            2,
          ),
        );
      }
    });
}

function jsonPath(v: string): string {
  const dir = dirname(resolve(v));
  if (!existsSync(dir)) throw new Error(`--json: directory ${dir} does not exist`);
  return v;
}

/**
 * The services enforce API keys: each run gives them a fresh admin key (KAIROS_ADMIN_KEY) and sends it.
 * The per-key rate limit is off (RATE_LIMIT_PER_SEC=0): one key drives the whole load here, and this
 * bench measures the scheduler, not the limiter. Authentication itself (a cached lookup and a SHA-256
 * per request) stays in the measured path.
 */
const BENCH_KEY = generateApiKey().token;
const AUTH = { authorization: `Bearer ${BENCH_KEY}` };

const startProcess = (app: string, env: Record<string, string>) => startService(app, env, { adminKey: BENCH_KEY, from: 'dist' });

async function drive(system: SystemName, setup: string, port: number, tasks: number, concurrency: number, executorPorts: number[]): Promise<Result> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < tasks) {
      next++;
      const r = await fetch(`http://127.0.0.1:${port}/api/tasks`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: '{"run":{"kind":"noop"}}' });
      if (r.status !== 201) throw new Error(`submit failed: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const submitSeconds = (performance.now() - started) / 1000;
  let done = 0;
  while (done < tasks) {
    const stats = (await (await fetch(`http://127.0.0.1:${port}/api/stats`, { headers: AUTH })).json()) as { tasks: Record<string, number> };
    done = stats.tasks.succeeded ?? 0;
    process.stderr.write(`\r${system}: ${done}/${tasks} succeeded`);
    if (done < tasks) await new Promise((r) => setTimeout(r, 100));
  }
  const totalSeconds = (performance.now() - started) / 1000;
  process.stderr.write('\n');
  // Per-task latency (submit → finish) from the API's own timestamps, over the newest 1000 tasks.
  const list = ((await (await fetch(`http://127.0.0.1:${port}/api/tasks?limit=1000&status=succeeded`, { headers: AUTH })).json()) as { items: Array<{ createdAt: string; finishedAt: string }> }).items;
  const lat = list.map((t) => new Date(t.finishedAt).getTime() - new Date(t.createdAt).getTime());
  lat.sort((a, b) => a - b);
  // Decision latency as each executor measured it (worst executor's quantiles when there are several).
  // Consumer groups after the run, from every service's /health: crashes during the run, and any left
  // down. A group caught while its replacement is joining gets up to 60 s to come back.
  const readConsumers = async () =>
    (
      await Promise.all(
        [port, ...executorPorts.filter((p) => p !== port)].map(async (p) => {
          const h = (await (await fetch(`http://127.0.0.1:${p}/health`)).json()) as { service: string; consumers?: Array<{ group: string; state: string; crashes: number }> };
          return (h.consumers ?? []).map((c) => ({ ...c, at: `${h.service}:${p}` }));
        }),
      )
    ).flat();
  const downOf = (cs: Awaited<ReturnType<typeof readConsumers>>) => cs.filter((c) => c.state === 'crashed' || c.state === 'restarting').map((c) => `${c.at}/${c.group}`);
  let consumers = await readConsumers();
  const downAtEnd = downOf(consumers);
  const checkedAt = performance.now();
  while (downOf(consumers).length && performance.now() - checkedAt < 60_000) {
    await new Promise((r) => setTimeout(r, 250));
    consumers = await readConsumers();
  }
  const consumersDown = downOf(consumers);
  const consumerCrashes = consumers.reduce((n, c) => n + c.crashes, 0);
  process.stderr.write(
    `${system}: consumer groups ${consumers.length}, crashes during the run ${consumerCrashes} (each replaced), down when the run ended: ${downAtEnd.join(', ') || 'none'}` +
      (downAtEnd.length ? `, back within ${((performance.now() - checkedAt) / 1000).toFixed(1)} s` : '') +
      `, left down: ${consumersDown.join(', ') || 'none'}\n`,
  );
  const decisions = await Promise.all(
    executorPorts.map(async (p) => ((await (await fetch(`http://127.0.0.1:${p}/api/executor/status`, { headers: AUTH })).json()) as { decisionLatency: { count: number; p50Ms: number; p99Ms: number } }).decisionLatency),
  );
  return {
    system,
    enqueue: 'single',
    setup,
    tasks,
    submitSeconds: round2(submitSeconds),
    totalSeconds: round2(totalSeconds),
    tasksPerSecond: round2(tasks / totalSeconds),
    p50LatencyMs: quantile(lat, 0.5),
    p99LatencyMs: quantile(lat, 0.99),
    latencySource: `task createdAt → finishedAt (API), newest ${Math.min(tasks, 1000)} tasks`,
    decisionP50Ms: Math.max(...decisions.map((d) => d.p50Ms)),
    decisionP99Ms: Math.max(...decisions.map((d) => d.p99Ms)),
    decisions: decisions.reduce((n, d) => n + d.count, 0),
    consumerCrashes,
    consumersDown,
  };
}

async function runStandalone(tasks: number, concurrency: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-bench-'));
  const port = 3900 + Math.floor(Math.random() * 90);
  const p = startProcess('standalone', { PORT: String(port), DATA_DIR: dir, EXECUTOR_NODES: 'bench-node:64000:65536', EXECUTOR_SLOTS: String(KAIROS_SLOTS) });
  try {
    await waitHealthy(port, p, 120_000);
    return await drive('kairos-standalone', `1 process, PGlite, in-process bus, ${KAIROS_SLOTS} slots`, port, tasks, concurrency, [port]);
  } finally {
    p.kill('SIGTERM');
    await exited(p);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runDistributed(tasks: number, concurrency: number, adminUrl: string, executors: number): Promise<Result> {
  const port = 3800 + Math.floor(Math.random() * 90);
  const platform = await startDistributed({
    adminUrl,
    prefix: 'kairos_bench',
    adminKey: BENCH_KEY,
    from: 'dist',
    // One pool connection per concurrent submission, as a deployment would size it (DATABASE_POOL_SIZE).
    gatewayEnv: { PORT: String(port), DATABASE_POOL_SIZE: String(Math.max(10, concurrency)) },
    executors: Array.from({ length: executors }, (_, i) => ({ PORT: String(port + 100 + i), EXECUTOR_ID: `bench-exec-${i}`, EXECUTOR_NODES: `bench-node-${i}:64000:65536`, EXECUTOR_SLOTS: String(KAIROS_SLOTS) })),
  });
  try {
    return await drive('kairos-distributed', `gateway + ${executors} executor process(es), PostgreSQL, Kafka test broker, ${KAIROS_SLOTS} slots each`, port, tasks, concurrency, platform.executors.map((e) => Number(e.env.PORT)));
  } finally {
    await platform.stop();
  }
}
