// The peers of `bench throughput`: BullMQ (Redis), pg-boss and graphile-worker (PostgreSQL, a fresh
// database per run). Like Kairos, each gets no-op jobs enqueued by `concurrency` client loops doing one
// add call at a time (or, for the reference-only 'bulk' rows, the peer's bulk API), a worker in a
// separate process (throughput.peer-worker.ts) and a clock from the first enqueue until the peer's own
// state records the last job completed (polled every 100 ms, as for Kairos).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { graphilePool, quantile, round2, type PeerName, type ThroughputResult } from './throughput.report';

export interface PeerOptions {
  tasks: number;
  concurrency: number;
  workerConcurrency: number;
  enqueue: 'single' | 'bulk';
  /** PostgreSQL admin URL (pg-boss, graphile-worker): a fresh database is created next to it and dropped after. */
  databaseUrl: string;
  redisUrl: string;
}

/** Jobs per bulk-enqueue call in the reference-only bulk rows. */
const BULK_CHUNK = 100;
const POLL_MS = 100;
/** Give up when the completed count has not moved for this long. */
const STALL_MS = 120_000;

interface Hooks {
  enqueueOne(): Promise<unknown>;
  enqueueMany(n: number): Promise<unknown>;
  /** Jobs the peer's own state records as completed (only called after every job was enqueued). */
  completed(): Promise<number>;
  /** enqueue → complete latencies (ms) from the peer's own timestamps; null: use the worker's. */
  latencies(): Promise<number[] | null>;
}

export async function runPeer(system: PeerName, o: PeerOptions): Promise<ThroughputResult> {
  if (system === 'bullmq') return runBullmq(o);
  if (system === 'pg-boss') return runPgBoss(o);
  return runGraphileWorker(o);
}

// ---------------------------------------------------------------------------------------------------

interface PeerWorker {
  stop(): Promise<{ handled: number; latenciesMs: number[] }>;
  kill(): void;
}

async function startWorker(system: PeerName, url: string, queue: string, concurrency: number): Promise<PeerWorker> {
  const p: ChildProcess = spawn(process.execPath, [join(__dirname, 'throughput.peer-worker.js'), system, url, queue, String(concurrency)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${system} worker exited (${code}) before it was ready`));
    p.once('exit', onExit);
    p.once('message', (m: { type?: string }) => {
      p.off('exit', onExit);
      if (m?.type === 'ready') resolve();
      else reject(new Error(`${system} worker: unexpected message ${JSON.stringify(m)}`));
    });
  });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          p.kill('SIGKILL');
          reject(new Error(`${system} worker did not stop within 30 s`));
        }, 30_000);
        p.once('message', (m: { type?: string; handled: number; latenciesMs: number[] }) => {
          clearTimeout(timer);
          const done = () => resolve({ handled: m.handled, latenciesMs: m.latenciesMs });
          if (p.exitCode !== null) done();
          else p.once('exit', done);
        });
        p.send({ type: 'stop' });
      }),
    kill: () => {
      if (p.exitCode === null) p.kill('SIGKILL');
    },
  };
}

async function drive(system: PeerName, setup: string, latencySource: string, o: PeerOptions, hooks: Hooks, worker: PeerWorker): Promise<ThroughputResult> {
  const label = `${system}${o.enqueue === 'bulk' ? ' (bulk enqueue)' : ''}`;
  const started = performance.now();
  let next = 0;
  const loop = async () => {
    while (next < o.tasks) {
      if (o.enqueue === 'single') {
        next++;
        await hooks.enqueueOne();
      } else {
        const n = Math.min(BULK_CHUNK, o.tasks - next);
        next += n;
        await hooks.enqueueMany(n);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, loop));
  const submitSeconds = (performance.now() - started) / 1000;
  let done = 0;
  let movedAt = Date.now();
  while (done < o.tasks) {
    const now = await hooks.completed();
    if (now !== done) movedAt = Date.now();
    done = now;
    process.stderr.write(`\r${label}: ${done}/${o.tasks} completed`);
    if (done >= o.tasks) break;
    if (Date.now() - movedAt > STALL_MS) throw new Error(`${label}: stuck at ${done}/${o.tasks} completed for ${STALL_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const totalSeconds = (performance.now() - started) / 1000;
  process.stderr.write('\n');
  const stopped = await worker.stop();
  if (stopped.handled < o.tasks) process.stderr.write(`${label}: warning: worker reports ${stopped.handled} handled of ${o.tasks}\n`);
  const lat = ((await hooks.latencies()) ?? stopped.latenciesMs).slice().sort((a, b) => a - b);
  return {
    system,
    enqueue: o.enqueue,
    setup,
    tasks: o.tasks,
    submitSeconds: round2(submitSeconds),
    totalSeconds: round2(totalSeconds),
    tasksPerSecond: round2(o.tasks / totalSeconds),
    p50LatencyMs: Math.round(quantile(lat, 0.5)),
    p99LatencyMs: Math.round(quantile(lat, 0.99)),
    latencySource,
  };
}

/** Creates a fresh database next to the admin URL, runs fn with its URL, drops it after. */
async function withDatabase<T>(adminUrl: string, prefix: string, fn: (url: string) => Promise<T>): Promise<T> {
  const dbName = `${prefix}_${Date.now()}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${dbName}`);
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    return await fn(u.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

/** Client-side pool size for the PostgreSQL peers: one connection per submission loop (capped). */
const clientPool = (o: PeerOptions) => Math.min(o.concurrency, 40);

// ---------------------------------------------------------------------------------------------------

async function runBullmq(o: PeerOptions): Promise<ThroughputResult> {
  const { Queue } = await import('bullmq');
  const u = new URL(o.redisUrl);
  const name = `kairos-bench-${Date.now()}`;
  const queue = new Queue(name, { connection: { host: u.hostname, port: Number(u.port || 6379) } });
  let worker: PeerWorker | undefined;
  try {
    await queue.waitUntilReady();
    worker = await startWorker('bullmq', o.redisUrl, name, o.workerConcurrency);
    return await drive(
      'bullmq',
      `Redis ${u.host}, 1 worker process, concurrency ${o.workerConcurrency}`,
      'job.timestamp (added) → job.finishedOn',
      o,
      {
        enqueueOne: () => queue.add('noop', {}),
        enqueueMany: (n) => queue.addBulk(Array.from({ length: n }, () => ({ name: 'noop', data: {} }))),
        completed: async () => {
          const failed = await queue.getFailedCount();
          if (failed > 0) throw new Error(`bullmq: ${failed} jobs failed`);
          return queue.getCompletedCount();
        },
        latencies: async () => (await queue.getJobs(['completed'], 0, -1)).map((j) => (j.finishedOn ?? NaN) - j.timestamp),
      },
      worker,
    );
  } finally {
    worker?.kill();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

async function runPgBoss(o: PeerOptions): Promise<ThroughputResult> {
  const { default: PgBoss } = await import('pg-boss');
  return withDatabase(o.databaseUrl, 'kairos_bench_pgboss', async (url) => {
    const name = 'noop';
    // Client instance: creates the schema and the queue, enqueues; no maintenance or cron during the run.
    const boss = new PgBoss({ connectionString: url, max: clientPool(o), supervise: false, schedule: false });
    boss.on('error', (e: Error) => process.stderr.write(`pg-boss client: ${e.message}\n`));
    const db = new Client({ connectionString: url });
    let worker: PeerWorker | undefined;
    try {
      await boss.start();
      await boss.createQueue(name);
      await db.connect();
      worker = await startWorker('pg-boss', url, name, o.workerConcurrency);
      return await drive(
        'pg-boss',
        `PostgreSQL, 1 worker process, batchSize ${o.workerConcurrency}, polling 0.5 s`,
        'job.created_on → job.completed_on',
        o,
        {
          enqueueOne: () => boss.send(name, {}),
          enqueueMany: (n) => boss.insert(Array.from({ length: n }, () => ({ name, data: {} }))),
          completed: async () => {
            const r = await db.query<{ completed: number; failed: number }>(
              `SELECT count(*) FILTER (WHERE state = 'completed')::int AS completed, count(*) FILTER (WHERE state = 'failed')::int AS failed FROM pgboss.job WHERE name = $1`,
              [name],
            );
            if (r.rows[0].failed > 0) throw new Error(`pg-boss: ${r.rows[0].failed} jobs failed`);
            return r.rows[0].completed;
          },
          latencies: async () =>
            (await db.query<{ ms: number }>(`SELECT (extract(epoch FROM completed_on - created_on) * 1000)::float8 AS ms FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [name])).rows.map(
              (r) => r.ms,
            ),
        },
        worker,
      );
    } finally {
      worker?.kill();
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      await db.end().catch(() => undefined);
    }
  });
}

async function runGraphileWorker(o: PeerOptions): Promise<ThroughputResult> {
  const { makeWorkerUtils } = await import('graphile-worker');
  return withDatabase(o.databaseUrl, 'kairos_bench_graphile', async (url) => {
    const name = 'noop';
    const utils = await makeWorkerUtils({ connectionString: url, maxPoolSize: clientPool(o) });
    const db = new Client({ connectionString: url });
    let worker: PeerWorker | undefined;
    try {
      await utils.migrate();
      await db.connect();
      worker = await startWorker('graphile-worker', url, name, o.workerConcurrency);
      return await drive(
        'graphile-worker',
        `PostgreSQL, 1 worker process, concurrency ${o.workerConcurrency}, pool ${graphilePool(o.workerConcurrency)}`,
        "job.created_at → worker's job:complete event (completed jobs are deleted)",
        o,
        {
          enqueueOne: () => utils.addJob(name, {}),
          enqueueMany: (n) => utils.addJobs(Array.from({ length: n }, () => ({ identifier: name, payload: {} }))),
          // graphile-worker deletes a job once it completes; a failed no-op would stay with last_error set.
          completed: async () => {
            const r = await db.query<{ remaining: number; failed: number }>(
              `SELECT count(*)::int AS remaining, count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failed FROM graphile_worker._private_jobs`,
            );
            if (r.rows[0].failed > 0) throw new Error(`graphile-worker: ${r.rows[0].failed} jobs failed`);
            return o.tasks - r.rows[0].remaining;
          },
          latencies: async () => null,
        },
        worker,
      );
    } finally {
      worker?.kill();
      await utils.release();
      await db.end().catch(() => undefined);
    }
  });
}
