import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { authHeaders, createTestDatabase, startService, type ServiceProcess } from '@kairos/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  status: string;
  node_id: string | null;
  output_tail: string | null;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

// GPUs end to end (docs/resources.md, GPUs): the standalone service with a CPU node and a node declaring
// one GPU; tasks submitted through the API print the devices they were given.
describe('GPU tasks through the API (standalone, EXECUTOR_NODES with a GPU node)', () => {
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  let dir: string;
  let svc: ServiceProcess | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-gpu-'));
    db = await createTestDatabase();
    svc = await startService('standalone', {
      DATABASE_URL: db.url,
      DATA_DIR: join(dir, 'data'),
      LEASE_MS: '3000',
      HEARTBEAT_MS: '500',
      EXECUTOR_NODES: 'cpu:4000:4096,g:4000:4096:1',
      EXECUTOR_SLOTS: '4',
      // Backfill lets the CPU task pass the GPU task waiting at the head of the queue.
      SCHEDULER_POLICY: 'backfill',
    });
    await svc.waitHealthy(120_000);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 180_000);

  afterAll(async () => {
    await pg?.end().catch(() => undefined);
    await svc?.kill();
    await db?.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const submit = async (name: string, gpu: number, sleepS: number): Promise<string> => {
    const r = await fetch(`http://127.0.0.1:${svc!.port}/api/tasks`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ name, run: { kind: 'shell', command: ['sh', '-c', `echo "gpus=[$CUDA_VISIBLE_DEVICES]"; sleep ${sleepS}`] }, resources: { cpuMillis: 100, memMb: 16, gpu }, timeoutMs: 60_000 }),
    });
    expect(r.status).toBe(201);
    return ((await r.json()) as { id: string }).id;
  };
  const row = async (id: string): Promise<Row> => (await pg.query(`SELECT status, node_id, output_tail, error, started_at, finished_at FROM tasks WHERE id = $1`, [id])).rows[0] as Row;
  const waitFor = async (id: string, ok: (r: Row) => boolean, what: string): Promise<Row> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await row(id);
      if (ok(r)) return r;
      if (Date.now() > deadline) throw new Error(`task ${id} never ${what} (${r.status}: ${r.error})\n${svc!.output().slice(-5000)}`);
      await sleep(100);
    }
  };
  const succeeded = (id: string) => waitFor(id, (r) => r.status === 'succeeded', 'succeeded');

  it('the GPU task runs on g with CUDA_VISIBLE_DEVICES=0; a second waits for the device; a CPU task runs meanwhile without one', async () => {
    const g1 = await submit('gpu-first', 1, 3);
    await waitFor(g1, (r) => r.status === 'running', 'started');
    const g2 = await submit('gpu-second', 1, 0);
    const c = await submit('cpu-only', 0, 0);
    const [r1, r2, rc] = [await succeeded(g1), await succeeded(g2), await succeeded(c)];
    expect([r1.node_id, r1.output_tail?.trim()]).toEqual(['g', 'gpus=[0]']);
    expect([r2.node_id, r2.output_tail?.trim()]).toEqual(['g', 'gpus=[0]']);
    expect(r2.started_at!.getTime()).toBeGreaterThanOrEqual(r1.finished_at!.getTime());
    expect(rc.output_tail?.trim()).toBe('gpus=[]');
    expect(rc.started_at!.getTime()).toBeLessThan(r1.finished_at!.getTime());
  }, 120_000);
});
