import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Client } from 'pg';
import { TOPICS, TOPIC_PARTITIONS } from '@kairos/contracts';

const ROOT = resolve(__dirname, '..', '..', '..');
const MAIN = (app: string) => join(ROOT, 'dist', 'apps', app, 'src', 'main.js');

interface Result {
  mode: string;
  tasks: number;
  submitSeconds: number;
  totalSeconds: number;
  tasksPerSecond: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  /** Scheduler decision latency (ordering + placement per pass) over all executors, from /api/executor/status. */
  decisionP50Ms: number;
  decisionP99Ms: number;
  decisions: number;
}

/**
 * End-to-end throughput of no-op tasks: submitted over the REST API (bounded concurrency) until every
 * one is persisted as succeeded. Standalone: one process, in-process bus, PGlite. Distributed:
 * gateway + executor(s) as processes on the Kafka test broker and PostgreSQL.
 */
export function register(bench: Command): void {
  bench
    .command('throughput')
    .description('end-to-end throughput of no-op tasks, standalone and distributed')
    .option('--tasks <n>', 'tasks per mode', (v) => positiveInt('--tasks', v), 2000)
    .option('--concurrency <n>', 'concurrent submissions', (v) => positiveInt('--concurrency', v), 32)
    .option('--modes <list>', 'standalone,distributed', 'standalone,distributed')
    .option('--database-url <url>', 'PostgreSQL admin URL for distributed mode', 'postgres://postgres@127.0.0.1:5432/test')
    .option('--executors <n>', 'executor processes in distributed mode', (v) => positiveInt('--executors', v), 1)
    .option('--json <file>', 'write results as JSON')
    .action(async (o: { tasks: number; concurrency: number; modes: string; databaseUrl: string; executors: number; json?: string }) => {
      if (!existsSync(MAIN('standalone'))) throw new Error(`${MAIN('standalone')} not found: run \`npm run build\` first`);
      const results: Result[] = [];
      for (const mode of o.modes.split(',')) {
        if (mode === 'standalone') results.push(await runStandalone(o.tasks, o.concurrency));
        else if (mode === 'distributed') results.push(await runDistributed(o.tasks, o.concurrency, o.databaseUrl, o.executors));
        else throw new Error(`--modes: unknown mode "${mode}" (expected standalone or distributed)`);
      }
      console.table(results);
      if (o.json) writeFileSync(o.json, JSON.stringify({ benchmark: 'throughput', date: new Date().toISOString(), results }, null, 2));
    });
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got "${v}"`);
  return n;
}

function startProcess(app: string, env: Record<string, string>): ChildProcess {
  const p = spawn(process.execPath, ['--require', join(ROOT, 'scripts/dist-register.js'), MAIN(app)], {
    env: { ...process.env, LOG_LEVEL: 'error', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return p;
}

async function waitHealthy(port: number): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`service on port ${port} did not become healthy`);
}

async function drive(mode: string, port: number, tasks: number, concurrency: number, executorPorts: number[]): Promise<Result> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < tasks) {
      next++;
      const r = await fetch(`http://127.0.0.1:${port}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"run":{"kind":"noop"}}' });
      if (r.status !== 201) throw new Error(`submit failed: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const submitSeconds = (performance.now() - started) / 1000;
  let done = 0;
  while (done < tasks) {
    const stats = (await (await fetch(`http://127.0.0.1:${port}/api/stats`)).json()) as { tasks: Record<string, number> };
    done = stats.tasks.succeeded ?? 0;
    process.stderr.write(`\r${mode}: ${done}/${tasks} succeeded`);
    if (done < tasks) await new Promise((r) => setTimeout(r, 100));
  }
  const totalSeconds = (performance.now() - started) / 1000;
  process.stderr.write('\n');
  // Per-task latency (submit → finish) from the API's own timestamps, over the newest 1000 tasks.
  const list = (await (await fetch(`http://127.0.0.1:${port}/api/tasks?limit=1000&status=succeeded`)).json()) as Array<{ createdAt: string; finishedAt: string }>;
  const lat = list.map((t) => new Date(t.finishedAt).getTime() - new Date(t.createdAt).getTime());
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  // Decision latency as each executor measured it (worst executor's quantiles when there are several).
  const decisions = await Promise.all(
    executorPorts.map(async (p) => ((await (await fetch(`http://127.0.0.1:${p}/api/executor/status`)).json()) as { decisionLatency: { count: number; p50Ms: number; p99Ms: number } }).decisionLatency),
  );
  return {
    mode,
    tasks,
    submitSeconds: round(submitSeconds),
    totalSeconds: round(totalSeconds),
    tasksPerSecond: round(tasks / totalSeconds),
    p50LatencyMs: q(0.5),
    p99LatencyMs: q(0.99),
    decisionP50Ms: Math.max(...decisions.map((d) => d.p50Ms)),
    decisionP99Ms: Math.max(...decisions.map((d) => d.p99Ms)),
    decisions: decisions.reduce((n, d) => n + d.count, 0),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

async function runStandalone(tasks: number, concurrency: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-bench-'));
  const port = 3900 + Math.floor(Math.random() * 90);
  const p = startProcess('standalone', { PORT: String(port), DATA_DIR: dir, EXECUTOR_NODES: 'bench-node:64000:65536', EXECUTOR_SLOTS: '256' });
  try {
    await waitHealthy(port);
    return await drive('standalone (PGlite, in-process bus)', port, tasks, concurrency, [port]);
  } finally {
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runDistributed(tasks: number, concurrency: number, adminUrl: string, executors: number): Promise<Result> {
  const dbName = `kairos_bench_${Date.now()}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
  const broker = spawn(join(ROOT, 'tools/mock-kafka/mock-kafka'), ['--brokers', '1', '--topics', TOPICS.map((t) => `${t}:${TOPIC_PARTITIONS}`).join(',')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const procs: ChildProcess[] = [];
  try {
    const bootstrap = await new Promise<string>((res, rej) => {
      const rl = createInterface({ input: broker.stdout! });
      rl.on('line', (l) => l.startsWith('BOOTSTRAP ') && res(l.slice(10).trim()));
      broker.once('exit', (c) => rej(new Error(`mock-kafka exited ${c}; build it with tools/mock-kafka/build.sh`)));
    });
    const env = { DATABASE_URL: url, KAFKA_BROKERS: bootstrap, KAFKA_IDEMPOTENT: 'false' };
    const port = 3800 + Math.floor(Math.random() * 90);
    procs.push(startProcess('gateway', { ...env, PORT: String(port) }));
    await waitHealthy(port);
    const executorPorts: number[] = [];
    for (let i = 0; i < executors; i++) {
      const ep = port + 100 + i;
      executorPorts.push(ep);
      procs.push(startProcess('executor', { ...env, PORT: String(ep), EXECUTOR_ID: `bench-exec-${i}`, EXECUTOR_NODES: `bench-node-${i}:64000:65536`, EXECUTOR_SLOTS: '256' }));
      await waitHealthy(ep);
    }
    return await drive(`distributed (PostgreSQL, Kafka test broker, ${executors} executor)`, port, tasks, concurrency, executorPorts);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    broker.stdin!.end();
    broker.kill('SIGTERM');
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
