import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecisionRecordSchema, type DecisionRecord, type RunSpec } from '@kairos/contracts';
import { Database, withBaseline } from '@kairos/persistence';
import { createTestDatabase } from '@kairos/testing';
import type { ExecutorSettings } from '../src/core/executor-settings';
import { pgExecutor } from './fakes/pg-executor';
import { EXECUTOR_MIGRATIONS } from '../src/database/migrations';
import { ExecutorService } from '../src/execution/executor.service';
import { PgNodeRepository } from '../src/execution/node.repository';
import { RETENTION_OFF } from '../src/retention/retention-plan';
import type { TaskRunner } from '../src/runners/runner.port';
import { ShellRunner } from '../src/runners/shell.runner';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T | null | undefined | false>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Row {
  status: string;
  node_id: string | null;
  output_tail: string | null;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

/**
 * GPUs live (docs/resources.md, GPUs): a real executor on real PostgreSQL with a CPU node and a node
 * declaring one GPU (EXECUTOR_NODES 'cpu:4000:4096,g:4000:4096:1') runs shell tasks that print
 * CUDA_VISIBLE_DEVICES.
 */
describe('GPU tasks on the live executor (PostgreSQL, real processes)', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let db: Database;
  let svc: ExecutorService | null = null;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await Database.open({ url: tdb.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline(EXECUTOR_MIGRATIONS) });
  });
  afterEach(async () => {
    await svc?.stop();
    svc = null;
    for (const t of ['attempts', 'tasks', 'nodes', 'queue_owners', 'scheduling_decisions']) await db.query(`DELETE FROM ${t}`);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const start = async (): Promise<ExecutorService> => {
    const s: ExecutorSettings = {
      executorId: 'exec-gpu',
      leaseMs: 3000,
      heartbeatMs: 500,
      metricsSampleMs: 60_000,
      slotsPerNode: 4,
      outputTailBytes: 1024,
      // Backfill: the CPU task may pass the GPU task waiting at the head (FIFO holds the queue behind it).
      schedulerPolicy: 'backfill',
      nodes: 'cpu:4000:4096,g:4000:4096:1',
      scheduleLeaseMs: 5000,
      schedulePartitions: 64,
      scheduleDecideAheadMs: 0,
      claimAheadMs: 0,
      nodeRetireAfterMs: 3_600_000,
      recordDecisions: true,
      decisionsRetentionDays: 14,
      retention: RETENTION_OFF,
    };
    const runners = new Map<RunSpec['kind'], TaskRunner>([['shell', new ShellRunner() as TaskRunner]]);
    svc = pgExecutor(db, s, runners, { recordDecisions: true });
    await svc.start();
    return svc;
  };

  /** A shell task that prints the devices it sees, then sleeps. */
  const submit = async (name: string, gpu: number, sleepS: number, timeoutMs = 60_000): Promise<string> => {
    const id = randomUUID();
    const run = { kind: 'shell', command: [`echo "gpus=[$CUDA_VISIBLE_DEVICES]"; sleep ${sleepS}`], shell: true, env: {} };
    await db.query(
      `INSERT INTO tasks (id, name, queue, priority, run, resources, timeout_ms, max_attempts, status)
       VALUES ($1, $2, 'default', 50, $3, $4, $5, 1, 'queued')`,
      [id, name, JSON.stringify(run), JSON.stringify({ cpuMillis: 100, memMb: 10, gpu }), timeoutMs],
    );
    return id;
  };
  const row = async (id: string): Promise<Row> => (await db.query<Row>(`SELECT status, node_id, output_tail, error, started_at, finished_at FROM tasks WHERE id = $1`, [id]))[0];
  const settled = (id: string, status = 'succeeded') =>
    until(async () => {
      const r = await row(id);
      if (['succeeded', 'failed', 'timed_out', 'cancelled', 'dead_lettered'].includes(r.status) && r.status !== status) throw new Error(`task ended ${r.status}: ${r.error}`);
      return r.status === status ? r : null;
    }, `task ${id} ${status}`);

  it('a GPU task runs on the GPU node with CUDA_VISIBLE_DEVICES=0; a second waits for the device while a CPU task runs at once with none', async () => {
    await start();
    const g1 = await submit('g1', 1, 3);
    await until(async () => (await row(g1)).status === 'running', 'g1 running');
    const g2 = await submit('g2', 1, 0);
    const c = await submit('c', 0, 0);
    const [r1, r2, rc] = [await settled(g1), await settled(g2), await settled(c)];
    expect(r1.node_id).toBe('g');
    expect(r1.output_tail?.trim()).toBe('gpus=[0]');
    expect(r2.node_id).toBe('g');
    expect(r2.output_tail?.trim()).toBe('gpus=[0]');
    // g2 held the only device only once g1 had let it go.
    expect(r2.started_at!.getTime()).toBeGreaterThanOrEqual(r1.finished_at!.getTime());
    // The CPU task did not wait for the GPU: it started (and ended) while g1 still ran, and saw no GPU.
    expect(rc.output_tail?.trim()).toBe('gpus=[]');
    expect(rc.started_at!.getTime()).toBeLessThan(r1.finished_at!.getTime());
    // The cluster view the policies plan on carries the node's GPU.
    const view = await new PgNodeRepository(db).clusterView(60_000);
    expect(view.find((n) => n.id === 'g')).toMatchObject({ gpuCount: 1, usedGpu: 0 });
    expect(view.find((n) => n.id === 'cpu')).toMatchObject({ gpuCount: 0 });

    // The allocation decision of each start: requests against the node's free capacity and the devices granted.
    await svc!.stop();
    svc = null;
    const allocations = async (taskId: string): Promise<DecisionRecord[]> =>
      (await db.query<{ record: DecisionRecord }>(`SELECT record FROM scheduling_decisions WHERE task_id = $1 AND kind = 'allocation' ORDER BY decided_at`, [taskId])).map((x) => DecisionRecordSchema.parse(x.record));
    const [a1] = await allocations(g1);
    expect(a1).toMatchObject({ kind: 'allocation', nodeId: 'g', policy: { name: 'node-grant' }, chosen: { id: 'gpus:0' }, runnerUp: null, inputs: { requests: { gpu: 1 }, nodeFree: { cpuMillis: 4000, gpu: 1 }, attempt: 1 } });
    expect(a1!.inputs.extra).toMatchObject({ devicesGranted: '0', devicesFree: '0', nodeGpus: 1 });
    expect(a1!.candidates).toEqual([expect.objectContaining({ id: 'gpu:0', eligible: true, label: 'granted' })]);
    const [a2] = await allocations(g2);
    expect(a2!.chosen.id).toBe('gpus:0');
    const [ac] = await allocations(c);
    expect(ac).toMatchObject({ nodeId: 'cpu', chosen: { id: 'gpus:none' }, inputs: { requests: { gpu: 0 }, nodeFree: { gpu: 0 } }, candidatesConsidered: 1 });
    expect(ac!.summary).toContain('no GPU');
  }, 90_000);

  it('a timed-out GPU attempt releases its device: the next GPU task gets device 0', async () => {
    await start();
    const g1 = await submit('slow', 1, 60, 1000);
    await settled(g1, 'timed_out');
    const g2 = await submit('next', 1, 0);
    const r2 = await settled(g2);
    expect(r2.node_id).toBe('g');
    expect(r2.output_tail?.trim()).toBe('gpus=[0]');
  }, 90_000);
});
