import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { authHeaders, createTestDatabase, startMockKafka, startService, type MockKafka, type ServiceProcess } from '@kairos/testing';

// A restarted executor without EXECUTOR_ID keeps its identity (same lease owner, same node names, no
// new node rows) and is ready (GET /health/ready 200, every consumer group running) within 15 s, after
// a clean stop and after a kill.
interface Health {
  status: string;
  consumers: Array<{ group: string; state: string }>;
}

describe('executor restart', () => {
  let kafka: MockKafka;
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  let exec: ServiceProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'kairos-exec-'));
  // Session timeout 6 s: after a kill, the dead member leaves its groups within that (README, Distributed mode).
  const env = () => ({ KAFKA_BROKERS: kafka.bootstrap.join(','), KAFKA_IDEMPOTENT: 'false', DATABASE_URL: db.url, DATA_DIR: dataDir, HEARTBEAT_MS: '500', KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_MS: '1000' });

  const readyAfter = async (svc: ServiceProcess, startedAt: number, limitMs: number): Promise<number> => {
    let last = '';
    while (Date.now() - startedAt < limitMs) {
      if (svc.proc.exitCode !== null) throw new Error(`executor exited:\n${svc.output()}`);
      const r = await fetch(`http://127.0.0.1:${svc.port}/health/ready`, { headers: authHeaders() }).catch(() => null);
      if (r) {
        const body = (await r.json()) as Health;
        last = JSON.stringify(body.consumers.map((c) => [c.group, c.state]));
        if (r.status === 200 && body.consumers.length > 0 && body.consumers.every((c) => c.state === 'running')) return Date.now() - startedAt;
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`not ready within ${limitMs} ms (consumers ${last}):\n${svc.output().slice(-3000)}`);
  };
  const nodes = async () => (await pg.query<{ id: string; executor_id: string; status: string }>(`SELECT id, executor_id, status FROM nodes ORDER BY id`)).rows;

  beforeAll(async () => {
    kafka = await startMockKafka({ brokers: 3 });
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 120_000);

  afterAll(async () => {
    await exec?.kill('SIGKILL');
    await pg?.end().catch(() => undefined);
    await kafka?.stop();
    await db?.drop().catch(() => undefined);
  }, 60_000);

  it('keeps its node identity and is ready within 15 s after a stop and after a kill', async () => {
    exec = await startService('executor', env());
    await readyAfter(exec, Date.now(), 180_000); // first start: migrations, cold swc compile
    // One heartbeat round after ready, so the node row exists.
    await new Promise((res) => setTimeout(res, 1_000));
    const first = await nodes();
    expect(first).toHaveLength(1);
    expect(first[0].status).toBe('ready');
    expect(first[0].executor_id).toMatch(/^executor-.+-0$/);
    const times: Record<string, number> = {};
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      await exec.kill(signal);
      const t0 = Date.now();
      exec = await startService('executor', env(), `executor-after-${signal}`);
      times[signal] = await readyAfter(exec, t0, 15_000);
      await new Promise((res) => setTimeout(res, 1_000));
      expect(await nodes()).toEqual(first);
    }
    process.stdout.write(`executor ready after restart: ${JSON.stringify(times)} ms (limit 15000)\n`);
  }, 300_000);
});
