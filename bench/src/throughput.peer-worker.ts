// Worker process for a peer in `bench throughput` (the peers' counterpart of a Kairos executor):
//   node dist/bench/src/throughput.peer-worker.js <bullmq|pg-boss|graphile-worker> <url> <queue> <concurrency>
// Spawned with an IPC channel: sends {type:'ready'} once it is consuming, and on {type:'stop'} stops
// consuming and replies {type:'stopped', handled, latenciesMs} before exiting. The handler is a no-op.
// latenciesMs is filled only for graphile-worker, which deletes completed jobs (so the parent cannot
// read completion times from its tables): job.created_at (database clock) → 'job:complete' event.
import { EventEmitter } from 'node:events';
import { graphilePool } from './throughput.report';

type Stop = () => Promise<void>;

async function startBullmq(url: string, queue: string, concurrency: number): Promise<Stop> {
  const { Worker } = await import('bullmq');
  const u = new URL(url);
  const worker = new Worker(queue, async () => undefined, { connection: { host: u.hostname, port: Number(u.port || 6379) }, concurrency, autorun: false });
  worker.on('completed', () => handled++);
  void worker.run();
  await worker.waitUntilReady();
  return () => worker.close();
}

async function startPgBoss(url: string, queue: string, concurrency: number): Promise<Stop> {
  const { default: PgBoss } = await import('pg-boss');
  // The parent created the schema and the queue; this instance only works (no maintenance, no cron).
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, migrate: false });
  boss.on('error', (e: Error) => process.stderr.write(`pg-boss worker: ${e.message}\n`));
  await boss.start();
  // One poller fetching up to `concurrency` jobs per poll, handled concurrently; 0.5 s is the shortest
  // polling interval pg-boss accepts (it waits the interval after each fetch unless notified).
  await boss.work(queue, { batchSize: concurrency, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    await Promise.all(jobs.map(async () => undefined));
    handled += jobs.length;
  });
  return () => boss.stop({ graceful: true, wait: true });
}

async function startGraphile(url: string, queue: string, concurrency: number): Promise<Stop> {
  const { run, Logger } = await import('graphile-worker');
  // Errors and warnings only, like the Kairos processes (LOG_LEVEL=error); the default logs every job.
  const logger = new Logger(() => (level, message) => {
    if (String(level) === 'error' || String(level) === 'warning') process.stderr.write(`graphile-worker ${String(level)}: ${message}\n`);
  });
  const events = new EventEmitter();
  events.on('job:complete', ({ job, error }: { job: { created_at: Date }; error: unknown }) => {
    if (error) return;
    handled++;
    latencies.push(Date.now() - new Date(job.created_at).getTime());
  });
  const runner = await run({
    connectionString: url,
    concurrency,
    maxPoolSize: graphilePool(concurrency),
    noHandleSignals: true,
    taskList: { [queue]: async () => undefined },
    events: events as never,
    logger,
  });
  return () => runner.stop();
}

let handled = 0;
const latencies: number[] = [];

async function main(): Promise<void> {
  const [system, url, queue, c] = process.argv.slice(2);
  const concurrency = Number(c);
  if (!process.send) throw new Error('throughput.peer-worker: must be spawned with an IPC channel');
  if (!url || !queue || !Number.isInteger(concurrency) || concurrency < 1) throw new Error('usage: throughput.peer-worker <system> <url> <queue> <concurrency>');
  const start = { bullmq: startBullmq, 'pg-boss': startPgBoss, 'graphile-worker': startGraphile }[system];
  if (!start) throw new Error(`throughput.peer-worker: unknown system "${system}"`);
  const stop = await start(url, queue, concurrency);
  process.on('message', (m: { type?: string }) => {
    if (m?.type !== 'stop') return;
    void stop()
      .catch((e: unknown) => process.stderr.write(`${system} worker stop: ${String(e)}\n`))
      .then(() => process.send!({ type: 'stopped', handled, latenciesMs: latencies }, () => process.exit(0)));
  });
  process.send({ type: 'ready' });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
