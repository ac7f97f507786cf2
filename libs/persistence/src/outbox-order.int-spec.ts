import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEnvelope, type Envelope } from '@kairos/contracts';
import { Database } from './database';
import { appendToOutbox, CreateOutbox1732350000000, OutboxRelay, type OutboxPublisher } from './outbox';

// The relay publishes a task's events in the order they were written, across producers, and copies
// each onto task.lifecycle.v1 in the same batch (embedded PGlite: no shared database touched).
describe('OutboxRelay per-task order', () => {
  let dir: string;
  let db: Database;
  const published: Envelope[] = [];
  const bus: OutboxPublisher = { publishBatch: async (events) => void published.push(...events) };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-order-'));
    db = await Database.open({ dataDir: dir, migrations: [CreateOutbox1732350000000] });
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds an executor’s events for a task until the gateway’s earlier event is out; other keys flow', async () => {
    const task = randomUUID();
    const at = new Date().toISOString();
    const queued = makeEnvelope('task.queued.v1', task, { taskId: task, name: null, queue: 'q', priority: 50, run: { kind: 'noop', sleepMs: 0 }, resources: { cpuMillis: 1, memMb: 1, gpu: 0 }, timeoutMs: 1000, maxAttempts: 1, submittedAt: at, tenant: 'default' });
    const started = makeEnvelope('task.started.v1', task, { taskId: task, attempt: 1, nodeId: 'n', startedAt: at });
    const beat = makeEnvelope('node.heartbeat.v1', 'n', { nodeId: 'n', executorId: 'e', cpuMillis: 1, memMb: 1, running: 0, at });
    await db.transaction((tx) => appendToOutbox(tx, 'gateway', [queued]));
    await db.transaction((tx) => appendToOutbox(tx, 'executor', [started, beat]));
    const executor = new OutboxRelay(db, bus, 'executor', (e) => { throw e; });
    const gateway = new OutboxRelay(db, bus, 'gateway', (e) => { throw e; });

    await executor.flushAll();
    expect(published.map((e) => e.topic)).toEqual(['node.heartbeat.v1']);
    await gateway.flushAll();
    await executor.flushAll();
    expect(published.map((e) => [e.topic, e.topic === 'task.lifecycle.v1' ? (e.payload as { type: string }).type : ''])).toEqual([
      ['node.heartbeat.v1', ''],
      ['task.queued.v1', ''],
      ['task.lifecycle.v1', 'task.queued.v1'],
      ['task.started.v1', ''],
      ['task.lifecycle.v1', 'task.started.v1'],
    ]);
  });

  it('publishes one producer’s consecutive events of a task in successive rounds, in order', async () => {
    published.length = 0;
    const task = randomUUID();
    const at = new Date().toISOString();
    const started = makeEnvelope('task.started.v1', task, { taskId: task, attempt: 1, nodeId: 'n', startedAt: at });
    const lost = makeEnvelope('task.attempt.lost.v1', task, { taskId: task, attempt: 1, nodeId: 'n', executorId: 'e', reason: 'lease expired', lostAt: at, next: 'queued' });
    const again = makeEnvelope('task.started.v1', task, { taskId: task, attempt: 2, nodeId: 'n', startedAt: at });
    await db.transaction((tx) => appendToOutbox(tx, 'executor', [started, lost, again]));
    const relay = new OutboxRelay(db, bus, 'executor', (e) => { throw e; });
    expect(await relay.flushOnce()).toBe(1);
    await relay.flushAll();
    expect(published.filter((e) => e.topic === 'task.lifecycle.v1').map((e) => (e.payload as { sourceEventId: string }).sourceEventId)).toEqual([started.eventId, lost.eventId, again.eventId]);
    const left = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    expect(left[0].n).toBe(0);
  });
});
