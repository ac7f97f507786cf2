import { authHeaders } from '@kairos/testing';
import { query, settleAndCount, type FaultCounts } from './support/checks';
import { startFaultCluster, type FaultCluster, type Kind } from './support/cluster';
import { Load, percentile } from './support/load';

/**
 * Fault suite (issue #19): the distributed mode (gateway, collector, analyzer, executor as separate
 * processes) on the Kafka test broker with 3 brokers and a PostgreSQL cluster of its own, under a steady
 * load of task submissions (through the gateway) and metric points (metrics.batch.v1). One fault after
 * another, each with its recovery measured: kill -9 of each service type and a restart, one broker of
 * three down and back, PostgreSQL restarted. For each: tasks lost, tasks completed twice, lifecycle
 * events out of order, metric points lost, all 0; what clients saw (never a 500, never a hang; 503 with
 * Retry-After while PostgreSQL is down). KAIROS_FAULTS_LONG=1: 30 s broker outage and more load.
 */
const LONG = process.env.KAIROS_FAULTS_LONG === '1';
const CFG = LONG
  ? // ~20 tasks/s: below the ~29 tasks/s the soak measured end to end on a 2-core machine, so a fault's backlog drains.
    { brokerDownMs: 30_000, pgDownMs: 15_000, submitters: 4, taskIntervalMs: 200, pointsPerBatch: 50, batchIntervalMs: 200, holdMs: 5_000 }
  : { brokerDownMs: 10_000, pgDownMs: 5_000, submitters: 2, taskIntervalMs: 250, pointsPerBatch: 10, batchIntervalMs: 250, holdMs: 2_000 };
/** A client's patience with one request (the gateway gives up on a database connect after 5 s). */
const REQUEST_TIMEOUT_MS = 15_000;
const RECOVERY_TIMEOUT_MS = LONG ? 300_000 : 120_000;
const SETTLE_TIMEOUT_MS = LONG ? 300_000 : 120_000;
const TEST_TIMEOUT_MS = LONG ? 900_000 : 400_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`fault suite (${LONG ? 'long' : 'short'} variant)`, () => {
  let c: FaultCluster;
  let load: Load;
  const summaries: string[] = [];
  const dump = () => c.dump();

  beforeAll(async () => {
    c = await startFaultCluster();
    load = new Load({
      gatewayPort: () => c.svc.gateway.port,
      bus: c.bus,
      submitters: CFG.submitters,
      taskIntervalMs: CFG.taskIntervalMs,
      pointsPerBatch: CFG.pointsPerBatch,
      batchIntervalMs: CFG.batchIntervalMs,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    load.start();
  }, 400_000);

  afterAll(async () => {
    await load?.stop();
    await c?.stop();
    if (summaries.length) process.stdout.write(`fault suite (${LONG ? 'long' : 'short'}):\n${summaries.join('\n')}\n`);
  }, 120_000);

  /** Until end to end works again: a task submitted now succeeds and a metric batch published now is stored. */
  const probe = async (phase: string): Promise<void> => {
    const deadline = Date.now() + RECOVERY_TIMEOUT_MS;
    let taskOk = false;
    while (!taskOk) {
      if (Date.now() > deadline) throw new Error(`${phase}: no probe task succeeded within ${RECOVERY_TIMEOUT_MS} ms\n${dump()}`);
      const id = await load.submit(phase, `probe:${phase}`);
      for (const until = Date.now() + 10_000; id && Date.now() < until; await sleep(200)) {
        const r = await fetch(`http://127.0.0.1:${c.svc.gateway.port}/api/tasks/${id}`, { headers: authHeaders(), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch(() => null);
        if (r?.status === 200 && ((await r.json()) as { status: string }).status === 'succeeded') {
          taskOk = true;
          break;
        }
      }
      if (!id) await sleep(200);
    }
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${phase}: no probe metric batch stored within ${RECOVERY_TIMEOUT_MS} ms\n${dump()}`);
      const before = load.log(phase).pointTs.length;
      if (await load.publishPoints(phase)) {
        const ts = load.log(phase).pointTs.slice(before);
        for (const until = Date.now() + 10_000; Date.now() < until; await sleep(200)) {
          const n = await query<{ n: number }>(c.dbUrl, `SELECT count(*)::int AS n FROM metric_points WHERE ts = ANY($1::timestamptz[])`, [ts.map((t) => new Date(t).toISOString())]).catch(() => [{ n: -1 }]);
          if (n[0].n === ts.length) return;
        }
      } else await sleep(200);
    }
  };

  /**
   * One fault under load: `inject` does the damage and the repair and returns when the repair was issued;
   * then recovery (end to end again), more load, and the counts of the phase.
   */
  const runFault = async (name: string, inject: () => Promise<{ outageMs: number }>): Promise<{ counts: FaultCounts; answers: Record<string, number> }> => {
    load.phase = name;
    await sleep(CFG.holdMs);
    const { outageMs } = await inject();
    const restoredAt = Date.now();
    await probe(name);
    const recoveryMs = Date.now() - restoredAt;
    await sleep(CFG.holdMs);
    load.phase = `after:${name}`;
    const log = load.log(name);
    const counts = await settleAndCount(c.dbUrl, log.accepted, name, log.pointTs, SETTLE_TIMEOUT_MS);
    const line =
      `${name.padEnd(16)} outage ${String(outageMs).padStart(6)} ms  recovery ${String(recoveryMs).padStart(6)} ms  ` +
      `tasks ${counts.accepted} accepted / ${counts.lost} lost / ${counts.completedTwice} twice / ${counts.outOfOrder} out of order / ${counts.eventsNotReceived} events not received  ` +
      `points ${counts.pointsAccepted} accepted / ${counts.pointsLost} lost  settled ${counts.settleMs} ms  ` +
      `submit p50/p99 ${percentile(log.latencies, 50)}/${percentile(log.latencies, 99)} ms  answers ${JSON.stringify(log.answers)}`;
    summaries.push(line);
    process.stdout.write(`${line}\n`);
    const dead = Object.values(c.svc).filter((s) => s.proc.exitCode !== null || s.proc.signalCode !== null);
    if (dead.length) throw new Error(`${name}: ${dead.map((s) => s.name).join(', ')} died\n${dump()}`);
    if (counts.lost || counts.completedTwice || counts.outOfOrder || counts.eventsNotReceived || counts.pointsLost) throw new Error(`${name}: ${line}\n${dump()}`);
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.pointsAccepted).toBeGreaterThan(0);
    // Never a 500 and never a hang, whatever the fault.
    expect(Object.keys(log.answers).filter((k) => !['201', '503+retry-after', 'unreachable'].includes(k))).toEqual([]);
    return { counts, answers: log.answers };
  };

  const killAndRestart = (kind: Kind) => async () => {
    const t0 = Date.now();
    await c.svc[kind].kill('SIGKILL');
    const outageMs = Date.now() - t0;
    await c.spawn(kind);
    return { outageMs };
  };

  for (const kind of ['gateway', 'collector', 'analyzer', 'executor'] as const) {
    it(`kill -9 of the ${kind}, then a restart: nothing lost, nothing twice, in order`, async () => {
      const { answers } = await runFault(`kill:${kind}`, killAndRestart(kind));
      // Only the gateway's own death may leave a client without an answer.
      if (kind !== 'gateway') expect(answers.unreachable ?? 0).toBe(0);
    }, TEST_TIMEOUT_MS);
  }

  it(`one broker of three down for ${CFG.brokerDownMs / 1000} s, then back: nothing lost, nothing twice, in order`, async () => {
    const broker = c.kafka.brokerIds[1];
    const { answers } = await runFault('broker-down', async () => {
      await c.kafka.down(broker);
      await sleep(CFG.brokerDownMs);
      await c.kafka.up(broker);
      return { outageMs: CFG.brokerDownMs };
    });
    expect(answers.unreachable ?? 0).toBe(0);
  }, TEST_TIMEOUT_MS);

  it(`PostgreSQL restarted mid-load (down ${CFG.pgDownMs / 1000} s): 503 with Retry-After meanwhile, then nothing lost`, async () => {
    if (!c.scratch) {
      process.stdout.write(`PostgreSQL restart case SKIPPED: ${c.pgSkipped}\n`);
      summaries.push(`postgres-restart SKIPPED: ${c.pgSkipped}`);
      return;
    }
    const pg = c.scratch;
    const downAnswers: Array<{ status: number; retryAfter: string | null; ms: number }> = [];
    const { answers } = await runFault('postgres-restart', async () => {
      const t0 = Date.now();
      await pg.stop('fast');
      // What a client sees while the database is down: a quick 503 with Retry-After, on writes and reads.
      const until = Date.now() + CFG.pgDownMs;
      while (Date.now() < until) {
        for (const [path, init] of [
          ['/api/tasks', { method: 'POST', body: JSON.stringify({ run: { kind: 'noop' }, name: 'while-pg-down' }) }],
          ['/api/tasks?limit=5', {}],
        ] as const) {
          const s = Date.now();
          const r = await fetch(`http://127.0.0.1:${c.svc.gateway.port}${path}`, { ...init, headers: authHeaders(), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
          await r.text();
          downAnswers.push({ status: r.status, retryAfter: r.headers.get('retry-after'), ms: Date.now() - s });
        }
        await sleep(250);
      }
      await pg.start();
      return { outageMs: Date.now() - t0 };
    });
    expect(answers.unreachable ?? 0).toBe(0);
    expect(downAnswers.length).toBeGreaterThan(0);
    const worst = Math.max(...downAnswers.map((a) => a.ms));
    process.stdout.write(`postgres down: ${downAnswers.length} probe requests, statuses ${JSON.stringify(downAnswers.map((a) => a.status).join(','))}, slowest ${worst} ms\n`);
    expect(downAnswers.filter((a) => a.status !== 503 || !a.retryAfter)).toEqual([]);
    // Bounded by the gateway's own database connect timeout (5 s) plus slack for a loaded machine.
    expect(worst).toBeLessThan(REQUEST_TIMEOUT_MS);
  }, TEST_TIMEOUT_MS);

  it('the whole run, between the faults included: every accepted task succeeded once, every confirmed point stored', async () => {
    await load.stop();
    const phases = load.phases();
    const ids = phases.flatMap((p) => load.log(p).accepted);
    let lost = 0;
    let pointsLost = 0;
    for (const p of phases) {
      const counts = await settleAndCount(c.dbUrl, load.log(p).accepted, p, load.log(p).pointTs, SETTLE_TIMEOUT_MS);
      lost += counts.lost + counts.completedTwice + counts.outOfOrder + counts.eventsNotReceived;
      pointsLost += counts.pointsLost;
    }
    const line = `whole run        tasks ${ids.length} accepted in ${phases.length} phases, ${lost} lost/twice/out of order; points ${phases.reduce((a, p) => a + load.log(p).pointTs.length, 0)} accepted, ${pointsLost} lost`;
    summaries.push(line);
    expect([lost, pointsLost]).toEqual([0, 0]);
    // Nothing left unfinished in the database either (an unanswered submission may still have been stored).
    const open = await query<{ n: number }>(c.dbUrl, `SELECT count(*)::int AS n FROM tasks WHERE status IN ('queued', 'running')`);
    expect(open[0].n).toBe(0);
  }, TEST_TIMEOUT_MS);
});
