// Starting the live platform for a benchmark: services as separate processes (from the TypeScript
// sources, or from dist/ after `npm run build`), a scratch PostgreSQL database, the Kafka test broker.
// One place for what the live benches (throughput, replay, …) need, so they all start it the same way.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { TOPICS, TOPIC_PARTITIONS } from '@kairos/contracts';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'nx.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}
/** The repository root, whether this runs from bench/src or dist/bench/src. */
export const REPO_ROOT = repoRoot();

export interface ServiceOptions {
  /** 'source' (swc-register, the working tree) or 'dist' (the build; `npm run build` first). */
  readonly from?: 'source' | 'dist';
  /** Admin key the service starts with (KAIROS_ADMIN_KEY). */
  readonly adminKey: string;
  /** Node options before the entry point (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
}

/**
 * One service (`apps/<app>`) as its own process on 127.0.0.1, errors only in its log, the per-key rate
 * limit off (a bench is one client driving the platform as hard as it can; RATE_LIMIT_PER_SEC=0).
 */
export function startService(app: string, env: Record<string, string>, o: ServiceOptions): ChildProcess {
  const entry = o.from === 'dist' ? [join(REPO_ROOT, 'scripts/dist-register.js'), join(REPO_ROOT, 'dist', 'apps', app, 'src', 'main.js')] : [join(REPO_ROOT, 'scripts/swc-register.js'), join(REPO_ROOT, 'apps', app, 'src', 'main.ts')];
  return spawn(process.execPath, [...(o.nodeArgs ?? []), '--require', ...entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'error', HOST: '127.0.0.1', KAIROS_ADMIN_KEY: o.adminKey, RATE_LIMIT_PER_SEC: '0', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Resolves once the process has exited (at once if it already has). */
export const exited = (p: ChildProcess): Promise<unknown> => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));

/** Polls GET /health until 200; fails if the process exits first or after `timeoutMs`. */
export async function waitHealthy(port: number, p: ChildProcess, timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)) return;
    if (p.exitCode !== null || p.signalCode !== null) throw new Error(`service on port ${port} exited (${p.exitCode ?? p.signalCode}) before becoming healthy`);
    if (Date.now() > until) throw new Error(`service on port ${port} did not become healthy within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface ScratchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database next to `adminUrl`'s (name `<prefix>_<pid>_<time>`), dropped with WITH (FORCE). */
export async function scratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    url: adminUrl.replace(/\/[^/]*$/, `/${name}`),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    },
  };
}

export interface MockBroker {
  readonly bootstrap: string;
  stop(): void;
}

/**
 * The Kafka test broker (librdkafka's mock cluster, tools/mock-kafka; built on first use), one broker,
 * with `topics` ("name:partitions,…"; default every Kairos topic at its default partition count).
 */
export async function startMockBroker(topics = TOPICS.map((t) => `${t}:${TOPIC_PARTITIONS}`).join(',')): Promise<MockBroker> {
  const bin = join(REPO_ROOT, 'tools/mock-kafka/mock-kafka');
  if (!existsSync(bin)) {
    const b = spawnSync('bash', [join(REPO_ROOT, 'tools/mock-kafka/build.sh')], { cwd: join(REPO_ROOT, 'tools/mock-kafka'), stdio: 'inherit' });
    if (b.status !== 0) throw new Error('tools/mock-kafka/build.sh failed');
  }
  const broker = spawn(bin, ['--brokers', '1', '--topics', topics], { stdio: ['pipe', 'pipe', 'inherit'] });
  const bootstrap = await new Promise<string>((res, rej) => {
    createInterface({ input: broker.stdout! }).on('line', (l) => l.startsWith('BOOTSTRAP ') && res(l.slice(10).trim()));
    broker.once('exit', (c) => rej(new Error(`mock-kafka exited ${c}`)));
  });
  return {
    bootstrap,
    stop() {
      broker.stdin!.end();
      broker.kill('SIGTERM');
    },
  };
}

export interface DistributedPlatform {
  readonly gatewayPort: number;
  readonly databaseUrl: string;
  /** The executors started with the platform, in order, with the environment each was given. */
  readonly executors: Array<{ proc: ChildProcess; env: Record<string, string> }>;
  /** Starts one more executor process (e.g. a restart after a kill) on the same database and broker. */
  startExecutor(env: Record<string, string>): ChildProcess;
  stop(): Promise<void>;
}

/**
 * Distributed mode as the README runs it: a gateway and one executor per entry of `executors` (each
 * entry's environment: PORT, EXECUTOR_ID, EXECUTOR_NODES, …), all on a scratch PostgreSQL database and
 * the Kafka test broker; waits until every one is healthy.
 */
export async function startDistributed(o: { adminUrl: string; prefix: string; adminKey: string; from?: 'source' | 'dist'; nodeArgs?: readonly string[]; gatewayEnv?: Record<string, string>; commonEnv?: Record<string, string>; executors: ReadonlyArray<Record<string, string>> }): Promise<DistributedPlatform> {
  const db = await scratchDatabase(o.adminUrl, o.prefix);
  const procs: ChildProcess[] = [];
  let broker: MockBroker | undefined;
  const stop = async () => {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map(exited));
    broker?.stop();
    await db.drop();
  };
  try {
    broker = await startMockBroker();
    // Separate processes share one secret-sealing key (the gateway seals, executors open).
    const env = { DATABASE_URL: db.url, KAFKA_BROKERS: broker.bootstrap, KAFKA_IDEMPOTENT: 'false', KAIROS_SECRET_KEY: randomBytes(32).toString('base64'), ...o.commonEnv };
    const so = { adminKey: o.adminKey, from: o.from, nodeArgs: o.nodeArgs };
    const gatewayPort = Number(o.gatewayEnv?.PORT ?? 4000 + Math.floor(Math.random() * 90));
    const gateway = startService('gateway', { ...env, ...o.gatewayEnv, PORT: String(gatewayPort) }, so);
    procs.push(gateway);
    await waitHealthy(gatewayPort, gateway);
    const startExecutor = (e: Record<string, string>) => {
      const p = startService('executor', { ...env, ...e }, so);
      procs.push(p);
      return p;
    };
    const executors: DistributedPlatform['executors'] = [];
    for (const e of o.executors) {
      const p = startExecutor(e);
      executors.push({ proc: p, env: e });
      await waitHealthy(Number(e.PORT), p);
    }
    return { gatewayPort, databaseUrl: db.url, executors, startExecutor, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
