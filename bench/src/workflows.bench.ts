import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { generateApiKey } from '@kairos/platform';

// `kairos bench workflows`: DAG workflows of no-op tasks through the live API (standalone mode unless
// --url names a running gateway). Measures makespan and the advancement latency of each dependency
// edge: a task's start minus the finish of its last dependency.

/** The checkout (works from source and from dist/). */
function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'nx.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

interface WorkflowTaskOut {
  key: string;
  status: string;
  dependsOn: string[];
  startedAt: string | null;
  finishedAt: string | null;
}

export interface WorkflowBenchResult {
  shape: string;
  tasks: number;
  status: string;
  submitMs: number;
  makespanSeconds: number;
  tasksPerSecond: number;
  p50EdgeLatencyMs: number;
  p99EdgeLatencyMs: number;
}

class WorkflowBenchError extends Error {
  readonly code = 'WORKFLOW_BENCH_ARGS';
}

export function register(bench: Command): void {
  bench
    .command('workflows')
    .description('DAG workflows (fan-out/fan-in, chain, layered) of no-op tasks through the API')
    .option('--shapes <list>', 'shapes as kind:tasks, kinds fan | chain | layers', 'chain:100,fan:1000,layers:1000')
    .option('--url <url>', 'a running Kairos gateway or standalone (default: start standalone from source); its API key from KAIROS_KEY')
    .option('--json <file>', 'write results as JSON')
    .action(async (o: { shapes: string; url?: string; json?: string }) => {
      const shapes = o.shapes.split(',').map(parseShape);
      if (o.url) {
        if (!process.env.KAIROS_KEY) throw new WorkflowBenchError('--url: set KAIROS_KEY to an API key with the submit scope for that server');
        AUTH.authorization = `Bearer ${process.env.KAIROS_KEY}`;
      }
      const svc = o.url ? null : await startStandalone();
      const base = o.url ?? `http://127.0.0.1:${svc!.port}`;
      const results: WorkflowBenchResult[] = [];
      try {
        for (const s of shapes) results.push(await runShape(base, s.kind, s.tasks));
      } catch (e) {
        throw new Error(`${(e as Error).message}: ${String((e as { cause?: unknown }).cause)}`);
      } finally {
        await svc?.stop();
      }
      console.table(results);
      if (o.json) writeFileSync(o.json, JSON.stringify({ benchmark: 'workflows', date: new Date().toISOString(), url: o.url ?? 'standalone (PGlite, in-process bus)', results }, null, 2));
    });
}

function parseShape(s: string): { kind: 'fan' | 'chain' | 'layers'; tasks: number } {
  const [kind, n] = s.split(':');
  const tasks = Number(n);
  if (kind !== 'fan' && kind !== 'chain' && kind !== 'layers') throw new WorkflowBenchError(`--shapes: "${s}": kind must be fan, chain or layers`);
  if (!Number.isInteger(tasks) || tasks < 3) throw new WorkflowBenchError(`--shapes: "${s}": task count must be an integer >= 3`);
  return { kind, tasks };
}

/** fan: root -> n-2 parallel -> sink; chain: a line; layers: 10 layers, each task depends on two of the previous layer. */
export function workflowOf(kind: 'fan' | 'chain' | 'layers', n: number): Array<{ key: string; run: { kind: 'noop' }; dependsOn: string[] }> {
  const run = { kind: 'noop' as const };
  if (kind === 'chain') return Array.from({ length: n }, (_, i) => ({ key: `t${i}`, run, dependsOn: i ? [`t${i - 1}`] : [] }));
  if (kind === 'fan') {
    const mid = Array.from({ length: n - 2 }, (_, i) => ({ key: `m${i}`, run, dependsOn: ['root'] }));
    return [{ key: 'root', run, dependsOn: [] }, ...mid, { key: 'sink', run, dependsOn: mid.map((m) => m.key) }];
  }
  const width = Math.ceil(n / 10);
  return Array.from({ length: n }, (_, i) => {
    const layer = Math.floor(i / width);
    const col = i % width;
    const prev = (c: number) => `t${(layer - 1) * width + (c % width)}`;
    return { key: `t${i}`, run, dependsOn: layer ? [...new Set([prev(col), prev(col + 1)])]: [] };
  });
}

async function runShape(base: string, kind: 'fan' | 'chain' | 'layers', n: number): Promise<WorkflowBenchResult> {
  const t0 = performance.now();
  const name = `bench-${kind}-${n}-${Date.now().toString(36)}`;
  const id = await submitOnce(base, name, workflowOf(kind, n));
  const submitMs = Math.round(performance.now() - t0);
  for (;;) {
    const w = await getJson<{ status: string; counts: Record<string, number> }>(`${base}/api/workflows/${id}`);
    process.stderr.write(`\r${kind}:${n}: ${w.counts.succeeded ?? 0}/${n} succeeded`);
    if (w.status !== 'running') break;
    await pause(250);
  }
  process.stderr.write('\n');
  const w = await getJson<{ status: string; createdAt: string; finishedAt: string; tasks: WorkflowTaskOut[] }>(`${base}/api/workflows/${id}`);
  const byKey = new Map(w.tasks.map((t) => [t.key, t]));
  const lat: number[] = [];
  for (const t of w.tasks) {
    if (!t.startedAt || !t.dependsOn.length) continue;
    const lastDep = Math.max(...t.dependsOn.map((d) => Date.parse(byKey.get(d)!.finishedAt ?? '')));
    lat.push(Date.parse(t.startedAt) - lastDep);
  }
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  const makespan = (Date.parse(w.finishedAt) - Date.parse(w.createdAt)) / 1000;
  return { shape: kind, tasks: n, status: w.status, submitMs, makespanSeconds: makespan, tasksPerSecond: Math.round((n / makespan) * 10) / 10, p50EdgeLatencyMs: q(0.5), p99EdgeLatencyMs: q(0.99) };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The service enforces API keys: a fresh admin key per run, given as KAIROS_ADMIN_KEY and sent on every call (with --url: KAIROS_KEY). */
const BENCH_KEY = generateApiKey().token;
const AUTH = { authorization: `Bearer ${BENCH_KEY}` };

/** GET with a few retries: a busy single-process service occasionally resets a kept-alive connection. */
async function getJson<T>(url: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await fetch(url, { headers: AUTH });
      if (!r.ok) throw new Error(`GET ${url}: ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    } catch (e) {
      if (attempt >= 5 || !(e instanceof TypeError)) throw e;
      await pause(200 * attempt);
    }
  }
}

/** POST the workflow; after a connection error, look it up by its unique name before trying again. */
async function submitOnce(base: string, name: string, tasks: unknown[]): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await fetch(`${base}/api/workflows`, { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ name, tasks }) });
      if (r.status !== 201) throw new Error(`submit failed: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { id: string }).id;
    } catch (e) {
      if (attempt >= 5 || !(e instanceof TypeError)) throw e;
      await pause(200 * attempt);
      const prior = (await getJson<Array<{ id: string; name: string }>>(`${base}/api/workflows?limit=50`)).find((w) => w.name === name);
      if (prior) return prior.id;
    }
  }
}

async function startStandalone(): Promise<{ port: number; stop(): Promise<void> }> {
  const ROOT = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), 'kairos-wf-bench-'));
  const port = 3700 + Math.floor(Math.random() * 90);
  const p: ChildProcess = spawn(process.execPath, ['--require', join(ROOT, 'scripts/swc-register.js'), join(ROOT, 'apps/standalone/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'error', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dir, EXECUTOR_NODES: 'bench-node:64000:65536', EXECUTOR_SLOTS: '64', KAIROS_ADMIN_KEY: BENCH_KEY, RATE_LIMIT_PER_SEC: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
    } catch {
      /* starting */
    }
    if (Date.now() > until || p.exitCode !== null) throw new Error(`standalone did not become healthy on port ${port}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    async stop() {
      p.kill('SIGTERM');
      await new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
