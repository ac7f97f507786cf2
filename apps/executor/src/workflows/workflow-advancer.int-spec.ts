import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SubmitWorkflowSchema } from '@kairos/contracts';
import { Database, insertWorkflowTasks, withBaseline } from '@kairos/persistence';
import { EXECUTOR_MIGRATIONS } from '../database/migrations';
import { createTestDatabase } from '@kairos/testing';
import { markStarted, snapshotRun, startRun } from '@kairos/scheduling-core';
import { dagOf } from './workflow-advance.policy';
import { WorkflowAdvancer } from './workflow-advancer';
import { PgWorkflowRunRepository } from './workflow-run.repository';

const advancerOn = (db: Database, onInserted: () => void): WorkflowAdvancer => new WorkflowAdvancer(new PgWorkflowRunRepository(db), { kick: onInserted }, { kick: () => undefined });

// The advancer with every migration, on embedded PGlite and on a PostgreSQL server: missed events are
// reconciled, duplicates insert nothing, failures propagate, and the run ends with the right status.
describe.each([
  ['embedded PGlite', false],
  ['PostgreSQL server', true],
])('WorkflowAdvancer on %s', (_name, server) => {
  let dir: string;
  let db: Database;
  let pg: { url: string; drop(): Promise<void> } | null = null;
  let kicks = 0;
  let advancer: WorkflowAdvancer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-wf-int-'));
    pg = server ? await createTestDatabase() : null;
    db = await Database.open({ url: pg?.url, dataDir: dir, migrations: withBaseline(EXECUTOR_MIGRATIONS) });
    advancer = advancerOn(db, () => kicks++);
  }, 60_000);
  afterAll(async () => {
    await db.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** a -> {b, c} -> d, stored the way the gateway stores a submission (root started and inserted). */
  async function seed(): Promise<string> {
    const spec = SubmitWorkflowSchema.parse({
      name: 'diamond',
      tasks: [
        { key: 'a', run: { kind: 'noop' } },
        { key: 'b', run: { kind: 'noop' }, dependsOn: ['a'] },
        { key: 'c', run: { kind: 'noop' }, dependsOn: ['a'] },
        { key: 'd', run: { kind: 'noop' }, dependsOn: ['b', 'c'] },
      ],
    });
    const id = randomUUID();
    const state = markStarted(startRun(dagOf(spec.tasks), 1), 'a');
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO workflow_runs (id, name, status, dag, checkpoint) VALUES ($1, $2, 'running', $3::jsonb, $4::jsonb)`, [id, spec.name, JSON.stringify(spec), JSON.stringify(snapshotRun(state))]);
      await insertWorkflowTasks(tx, 'test', { id, name: spec.name, generation: 1 }, spec.tasks.slice(0, 1), 'trace');
    });
    return id;
  }
  const finish = (run: string, key: string, status: string) =>
    db.query(`UPDATE tasks SET status = $3, finished_at = now() WHERE workflow_run_id = $1 AND workflow_key = $2`, [run, key, status]);
  const taskRows = async (run: string) =>
    Object.fromEntries((await db.query<{ k: string; s: string }>(`SELECT workflow_key AS k, status AS s FROM tasks WHERE workflow_run_id = $1 ORDER BY workflow_key`, [run])).map((r) => [r.k, r.s]));
  const runStatus = async (run: string) => (await db.query<{ status: string }>(`SELECT status FROM workflow_runs WHERE id = $1`, [run]))[0].status;

  it('reconciles a finished task whose event was missed, and a duplicate advance inserts nothing', async () => {
    const run = await seed();
    await finish(run, 'a', 'succeeded');
    const before = kicks;
    expect(await advancer.reconcile()).toBe(1);
    expect(kicks).toBe(before + 1);
    expect(await taskRows(run)).toEqual({ a: 'succeeded', b: 'queued', c: 'queued' });
    expect(await advancer.advance(run)).toEqual({ inserted: 0, status: 'running' });
    expect(await advancer.reconcile()).toBe(0);
    const queued = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'task.queued.v1' AND envelope->'payload'->>'name' LIKE 'diamond/%'`);
    expect(queued[0].n).toBeGreaterThanOrEqual(3);
    expect(await advancer.onTaskCompleted(randomUUID())).toBeNull();
  });

  it('marks downstream of a failure upstream_failed and fails the run once nothing runs', async () => {
    const run = await seed();
    await finish(run, 'a', 'succeeded');
    const taskA = (await db.query<{ id: string }>(`SELECT id FROM tasks WHERE workflow_run_id = $1 AND workflow_key = 'a'`, [run]))[0].id;
    expect(await advancer.onTaskCompleted(taskA)).toEqual({ inserted: 2, status: 'running' });
    await finish(run, 'b', 'failed');
    expect(await advancer.advance(run)).toEqual({ inserted: 0, status: 'running' });
    expect(await taskRows(run)).toEqual({ a: 'succeeded', b: 'failed', c: 'queued', d: 'upstream_failed' });
    await finish(run, 'c', 'succeeded');
    expect(await advancer.advance(run)).toEqual({ inserted: 0, status: 'failed' });
    expect(await runStatus(run)).toBe('failed');
    // A finished run is left alone.
    expect(await advancer.advance(run)).toBeNull();
  });

  it('completes the run when the last task succeeds', async () => {
    const run = await seed();
    await finish(run, 'a', 'succeeded');
    await advancer.advance(run);
    await finish(run, 'b', 'succeeded');
    await finish(run, 'c', 'succeeded');
    expect(await advancer.advance(run)).toEqual({ inserted: 1, status: 'running' });
    await finish(run, 'd', 'succeeded');
    expect(await advancer.advance(run)).toEqual({ inserted: 0, status: 'succeeded' });
    const cp = (await db.query<{ checkpoint: { tasks: Record<string, { status: string }> } }>(`SELECT checkpoint FROM workflow_runs WHERE id = $1`, [run]))[0].checkpoint;
    expect(Object.values(cp.tasks).every((t) => t.status === 'succeeded')).toBe(true);
  });

  it('coalesces concurrent requests for one run into one advance', async () => {
    const run = await seed();
    await finish(run, 'a', 'succeeded');
    let calls = 0;
    const counting = advancerOn(db, () => undefined);
    const inner = counting.advance.bind(counting);
    counting.advance = (id: string) => {
      calls++;
      return inner(id);
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => counting.request(run)));
    // All ten arrived before the first advance started, so they share it.
    expect(calls).toBe(1);
    expect(results.every((r) => r?.inserted === 2)).toBe(true);
    expect(await taskRows(run)).toEqual({ a: 'succeeded', b: 'queued', c: 'queued' });
    // A request after the burst settled runs a fresh advance.
    await finish(run, 'b', 'succeeded');
    await finish(run, 'c', 'succeeded');
    expect(await counting.request(run)).toEqual({ inserted: 1, status: 'running' });
  });

  it('two advancers (two executors) racing on one run insert each task once', async () => {
    const run = await seed();
    await finish(run, 'a', 'succeeded');
    const other = advancerOn(db, () => undefined);
    const [x, y] = await Promise.all([advancer.advance(run), other.advance(run)]);
    expect((x?.inserted ?? 0) + (y?.inserted ?? 0)).toBe(2);
    expect(await taskRows(run)).toEqual({ a: 'succeeded', b: 'queued', c: 'queued' });
  });
});
