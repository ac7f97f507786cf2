import { testIdentity } from '@kairos/testing';
import { RETENTION_OFF, type RetentionMode, type RetentionSettings } from './retention-plan';
import type { RetentionRepository, TaskPurgeCounts } from './retention.repository';
import { RetentionService } from './retention.service';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');

/** A repository with `expired` tasks and a lease other tests can take away. */
class FakeRetentionRepository implements RetentionRepository {
  holder: string | null = null;
  /** Renewals granted before the lease is lost (Infinity: never lost). */
  renewalsLeft = Infinity;
  releases: Array<{ owner: string; finished: boolean }> = [];
  batches: Array<{ step: string; cutoff: string; limit: number; mode?: RetentionMode }> = [];
  constructor(public expired: number) {}

  async acquireLease(owner: string): Promise<boolean> {
    if (this.holder !== null && this.holder !== owner) return false;
    if (this.holder === owner && this.renewalsLeft-- <= 0) return false;
    this.holder = owner;
    return true;
  }
  async releaseLease(owner: string, finished: boolean): Promise<void> {
    this.releases.push({ owner, finished });
    if (this.holder === owner) this.holder = null;
  }
  async purgeTasks(cutoff: Date, limit: number, mode: RetentionMode): Promise<TaskPurgeCounts> {
    this.batches.push({ step: 'tasks', cutoff: cutoff.toISOString(), limit, mode });
    const n = Math.min(limit, this.expired);
    this.expired -= n;
    return { tasks: n, attempts: 2 * n, events: 3 * n };
  }
  async purgeWorkflowRuns(cutoff: Date, limit: number): Promise<number> {
    this.batches.push({ step: 'workflows', cutoff: cutoff.toISOString(), limit });
    return 0;
  }
  async dropEvents(cutoff: Date, limit: number): Promise<{ tasks: number; events: number }> {
    this.batches.push({ step: 'events', cutoff: cutoff.toISOString(), limit });
    return { tasks: 0, events: 0 };
  }
  async dropOutputs(cutoff: Date, limit: number): Promise<{ tasks: number; outputs: number }> {
    this.batches.push({ step: 'outputs', cutoff: cutoff.toISOString(), limit });
    return { tasks: 0, outputs: 0 };
  }
}

const service = (repo: RetentionRepository, over: Partial<RetentionSettings>) =>
  new RetentionService(repo, { executorId: 'exec-a', retention: { ...RETENTION_OFF, pauseMs: 0, ...over } }, { now: () => NOW }, testIdentity('executor'));

describe('RetentionService', () => {
  it('runs each planned step in batches until a short batch, then releases the lease as finished', async () => {
    const repo = new FakeRetentionRepository(25);
    const report = await service(repo, { tasksDays: 30, outputsDays: 7, batchSize: 10, mode: 'delete' }).runOnce();
    expect(report.ran).toBe(true);
    expect(report.steps.map((s) => [s.kind, s.batches, s.rows])).toEqual([['tasks', 3, 25], ['workflows', 1, 0], ['outputs', 1, 0]]);
    expect(report.steps[0]).toMatchObject({ cutoff: '2026-10-31T12:00:00.000Z', mode: 'delete', attempts: 50, events: 75 });
    expect(repo.batches.filter((b) => b.step === 'tasks').map((b) => b.limit)).toEqual([10, 10, 10]);
    expect(repo.batches.find((b) => b.step === 'outputs')?.cutoff).toBe('2026-11-23T12:00:00.000Z');
    expect(repo.releases).toEqual([{ owner: 'exec-a', finished: true }]);
  });

  it('does nothing, not even take the lease, when nothing is configured to expire', async () => {
    const repo = new FakeRetentionRepository(5);
    expect(await service(repo, {}).runOnce()).toEqual({ ran: false, steps: [] });
    expect(repo.batches).toEqual([]);
    expect(repo.releases).toEqual([]);
  });

  it('skips the run while another executor holds the lease', async () => {
    const repo = new FakeRetentionRepository(5);
    repo.holder = 'exec-b';
    expect((await service(repo, { tasksDays: 1 }).runOnce()).ran).toBe(false);
    expect(repo.batches).toEqual([]);
    expect(repo.expired).toBe(5);
  });

  it('stops after the batch whose renewal fails (lease lost) and does not mark the run finished', async () => {
    const repo = new FakeRetentionRepository(100);
    repo.renewalsLeft = 1;
    const report = await service(repo, { tasksDays: 1, batchSize: 10 }).runOnce();
    expect(report.steps).toEqual([expect.objectContaining({ kind: 'tasks', batches: 2, rows: 20 })]);
    expect(repo.expired).toBe(80);
    expect(repo.releases).toEqual([{ owner: 'exec-a', finished: false }]);
  });

  it('shutdown during the pause between batches ends the run after that batch', async () => {
    const repo = new FakeRetentionRepository(100);
    const svc = service(repo, { tasksDays: 1, batchSize: 10, pauseMs: 60_000 });
    const started = Date.now();
    const run = svc.trigger();
    await new Promise((r) => setTimeout(r, 20));
    await svc.beforeApplicationShutdown();
    const report = await run;
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(report.steps).toEqual([expect.objectContaining({ kind: 'tasks', batches: 1, rows: 10 })]);
    expect(repo.releases).toEqual([{ owner: 'exec-a', finished: false }]);
  });

  it('a failing batch is logged and the lease released; trigger resolves', async () => {
    const repo = new FakeRetentionRepository(10);
    repo.purgeTasks = () => Promise.reject(new Error('disk full'));
    expect(await service(repo, { tasksDays: 1 }).trigger()).toEqual({ ran: false, steps: [] });
    expect(repo.releases).toEqual([{ owner: 'exec-a', finished: false }]);
  });
});
