import { ClusterState } from '../model/cluster-state';
import { seededRng } from '../model/clock';
import { resources } from '../model/resources';
import { makeTask } from '../model/task.factory';
import type { Task } from '../model/task.model';
import { BestFitPlacement } from '../placement/packing.placement';
import { DEFAULT_RETRY_POLICY } from '../retry/retry-policy';
import { simulate } from '../sim/simulator';
import { shareRatio, TenantShareRecorder } from '../sim/tenant-shares';
import { checkSubmissionQuota, FairSharePolicy, type TenantShare } from './fair-share.policy';
import { FifoPolicy } from './fifo.policy';
import { ObservedPolicy } from './observed.policy';
import { createPolicy, POLICY_NAMES } from './policy.registry';

const drf = (tenants: Record<string, TenantShare> = {}) => new FairSharePolicy({ createInner: () => new FifoPolicy({ placement: new BestFitPlacement() }), tenants });

/** Starts instances until idle (allocating on the cluster); returns the tenant of each start in order. */
function fill(p: FairSharePolicy, c: ClusterState, tasks: readonly Task[]): string[] {
  const out: string[] = [];
  for (;;) {
    const d = p.pickNext(c, 0);
    if (d.kind === 'idle') return out;
    const t = tasks.find((x) => x.id === d.taskId)!;
    for (const n of d.nodeIndexes) c.allocate(n, t.request);
    p.commit(d, 0);
    out.push(t.tenant);
  }
}

const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;

describe('FairSharePolicy (weighted DRF)', () => {
  it('reproduces the DRF paper’s example: 9 CPUs, 18 GB; A runs <1 CPU, 4 GB>, B <3 CPU, 1 GB> → A 3 tasks, B 2', () => {
    // Ghodsi et al. 2011, §4: both end with a dominant share of 2/3 (A: 12/18 GB, B: 6/9 CPU).
    const c = new ClusterState([{ id: 'n', capacity: resources({ cpuMillis: 9000, memMb: 18_432 }) }]);
    const a = makeTask({ id: 'a', tenant: 'A', instances: 10, request: { cpuMillis: 1000, memMb: 4096 } });
    const b = makeTask({ id: 'b', tenant: 'B', instances: 10, request: { cpuMillis: 3000, memMb: 1024 } });
    const p = drf();
    p.enqueue(a, 10, 0);
    p.enqueue(b, 10, 0);
    const starts = fill(p, c, [a, b]);
    expect([count(starts, 'A'), count(starts, 'B')]).toEqual([3, 2]);
    expect(p.usage().map((u) => [u.tenant, u.running.cpuMillis, u.running.memMb])).toEqual([
      ['A', 3000, 12_288],
      ['B', 6000, 2048],
    ]);
  });

  it('weights 2:1 on 12 equal slots give 8 and 4, interleaved by progressive filling', () => {
    const c = new ClusterState([{ id: 'n', capacity: resources({ cpuMillis: 12_000, memMb: 12_288 }) }]);
    const heavy = makeTask({ id: 'h', tenant: 'heavy', instances: 20, request: { cpuMillis: 1000, memMb: 1024 } });
    const light = makeTask({ id: 'l', tenant: 'light', instances: 20, request: { cpuMillis: 1000, memMb: 1024 } });
    const p = drf({ heavy: { weight: 2 }, light: { weight: 1 } });
    p.enqueue(light, 20, 0);
    p.enqueue(heavy, 20, 0);
    const starts = fill(p, c, [heavy, light]);
    // Shares ÷ weight: ties go to the tenant named first. heavy 0, light 0 → heavy (1/24); light (1/12);
    // heavy (2/24 = 1/12, tie, heavy first) …: h l h h l h h l h h l h.
    expect(starts.join(' ')).toBe('heavy light heavy heavy light heavy heavy light heavy heavy light heavy');
    expect([count(starts, 'heavy'), count(starts, 'light')]).toEqual([8, 4]);
  });

  it('a deprived tenant whose task does not fit yet holds the others to their entitlement, then gets the room', () => {
    // One node of 4 CPUs. B runs 3 one-CPU tasks; A (equal weight) then queues a 2-CPU task: only 1 CPU
    // is free, and B has more queued. B may grow to its entitlement (2 of 4) but not beyond, so when
    // one of B's instances ends A's task fits, instead of B refilling the gap.
    const c = new ClusterState([{ id: 'n', capacity: resources({ cpuMillis: 4000, memMb: 4096 }) }]);
    const small = makeTask({ id: 's', tenant: 'B', instances: 10, request: { cpuMillis: 1000, memMb: 256 } });
    const big = makeTask({ id: 'big', tenant: 'A', request: { cpuMillis: 2000, memMb: 256 } });
    const p = drf();
    p.enqueue(small, 3, 0);
    expect(fill(p, c, [small])).toEqual(['B', 'B', 'B']);
    p.enqueue(big, 1, 1);
    p.enqueue(small, 7, 1);
    expect(p.pickNext(c, 1)).toEqual({ kind: 'idle', reason: 'nothing-fits' }); // B is at 3/4 > 1/2: it waits
    c.release(0, small.request);
    p.onInstanceEnd(small, 0, 0, 2, true);
    const d = p.pickNext(c, 2);
    expect(d).toMatchObject({ kind: 'dispatch', taskId: 'big' });
  });

  it('is work-conserving again after protectSeconds: work that can never fit does not idle the others for long', () => {
    const c = new ClusterState([{ id: 'n', capacity: resources({ cpuMillis: 4000, memMb: 4096 }) }]);
    const huge = makeTask({ id: 'huge', tenant: 'A', request: { cpuMillis: 8000, memMb: 1024 } }); // larger than the node
    const small = makeTask({ id: 's', tenant: 'B', instances: 4, request: { cpuMillis: 1000, memMb: 1024 } });
    const p = new FairSharePolicy({ createInner: () => new FifoPolicy({ placement: new BestFitPlacement() }), protectSeconds: 60 });
    p.enqueue(huge, 1, 0);
    p.enqueue(small, 4, 0);
    const startsAt = (now: number): string[] => {
      const out: string[] = [];
      for (let d = p.pickNext(c, now); d.kind === 'dispatch'; d = p.pickNext(c, now)) {
        c.allocate(d.nodeIndexes[0]!, small.request);
        p.commit(d, now);
        out.push(d.taskId);
      }
      return out;
    };
    expect(startsAt(0)).toEqual(['s', 's']); // B up to its entitlement (1/2)
    expect(startsAt(30)).toEqual([]);
    expect(startsAt(61)).toEqual(['s', 's']); // protection lapsed
    expect(() => new FairSharePolicy({ createInner: () => new FifoPolicy({ placement: new BestFitPlacement() }), protectSeconds: -1 })).toThrow('protectSeconds must be a non-negative number');
  });

  it('a tenant over its running quota queues while another runs, and resumes when its own work ends', () => {
    const c = new ClusterState([{ id: 'n', capacity: resources({ cpuMillis: 16_000, memMb: 16_384 }) }]);
    const a = makeTask({ id: 'a', tenant: 'A', instances: 8, request: { cpuMillis: 1000, memMb: 1024 } });
    const b = makeTask({ id: 'b', tenant: 'B', instances: 8, request: { cpuMillis: 1000, memMb: 1024 } });
    const p = drf({ A: { weight: 1, quota: { running: { cpuMillis: 2000 } } } });
    p.enqueue(a, 8, 0);
    p.enqueue(b, 8, 0);
    const starts = fill(p, c, [a, b]);
    expect([count(starts, 'A'), count(starts, 'B')]).toEqual([2, 8]);
    expect(p.pickNext(c, 0)).toEqual({ kind: 'idle', reason: 'nothing-fits' }); // A waits: cluster has room, A has none
    c.release(0, a.request);
    p.onInstanceEnd(a, 0, 0, 10, true);
    expect(fill(p, c, [a, b])).toEqual(['A']);
  });

  it('refuses at submission what could never run under the quota, and what exceeds the queued-tasks quota', () => {
    const quota = { running: { gpu: 2 }, queuedTasks: 3 };
    expect(checkSubmissionQuota('A', makeTask({ request: { gpu: 1 }, instances: 4, gang: true }), 0, quota)).toEqual({ ok: false, field: 'resources.gpu', reason: 'tenant A: the task needs 4 GPUs at once, over the tenant\'s running quota of 2' });
    expect(checkSubmissionQuota('A', makeTask({ request: { gpu: 1 }, instances: 4 }), 0, quota)).toEqual({ ok: true });
    expect(checkSubmissionQuota('A', makeTask(), 3, quota)).toEqual({ ok: false, field: 'tenant', reason: 'tenant A: 3 tasks already queued, the quota is 3' });
    expect(checkSubmissionQuota('A', makeTask(), 99, undefined)).toEqual({ ok: true });
  });

  it('rejects bad shares naming the tenant and field', () => {
    expect(() => drf({ A: { weight: 0 } })).toThrow('tenant A: weight must be a positive number, got 0');
    expect(() => drf({ A: { weight: 1, quota: { running: { cpu: 5 } as never } } })).toThrow('tenant A: quota.running.cpu is not a resource');
    expect(() => drf({ A: { weight: 1, quota: { queuedTasks: -1 } } })).toThrow('quota.queuedTasks must be a non-negative integer');
  });

  it.each(POLICY_NAMES)('wraps %s: every instance ends exactly once, failures retried, nothing left queued', (name) => {
    const cap = resources({ cpuMillis: 4000, memMb: 8192 });
    const tasks = Array.from({ length: 30 }, (_, i) => makeTask({ id: `t${i}`, tenant: i % 3 === 0 ? 'A' : 'B', arrival: i, actual: 5 + (i % 7), predicted: 5 + (i % 7), instances: 1 + (i % 3), request: { cpuMillis: 1000, memMb: 1024 } }));
    const p = new FairSharePolicy({ createInner: () => createPolicy(name, { placement: new BestFitPlacement(), rng: seededRng(1), nodeCapacity: cap }), tenants: { A: { weight: 2 } } });
    expect(p.name).toBe(`drf(${createPolicy(name, { placement: new BestFitPlacement(), rng: seededRng(1), nodeCapacity: cap }).name})`);
    const out = simulate(tasks, p, { nodes: [{ id: 'n0', capacity: cap }, { id: 'n1', capacity: cap }], failureProbability: 0.1, retry: DEFAULT_RETRY_POLICY, seed: 3, noiseSigma: 0 });
    expect(out.metrics.successRate).toBeGreaterThan(0.9);
    expect(out.succeededByTask.map((s, i) => s + out.failedByTask[i]!)).toEqual(tasks.map((t) => t.instances));
    expect(p.queuedInstances).toBe(0);
  });
});

describe('TenantShareRecorder', () => {
  it('integrates shares per window, separately over the time both tenants had work waiting (hand-computed)', () => {
    // Capacity 10 CPU / 10 GB, weights 1:1 (entitlement 0.5 each). t=0: A queues 3 × <2 CPU, 1 GB>,
    // B queues 1 × <1 CPU, 4 GB>. A starts 2 at 0; B starts its one at 5 (B's queue empties at 5).
    // Windows of 10 s; the record closes at 20.
    const rec = new TenantShareRecorder(resources({ cpuMillis: 10_000, memMb: 10_240 }), ['A', 'B'], 10);
    const a = makeTask({ id: 'a', tenant: 'A', request: { cpuMillis: 2000, memMb: 1024 } });
    const b = makeTask({ id: 'b', tenant: 'B', request: { cpuMillis: 1000, memMb: 4096 } });
    rec.onEnqueue(a, 3, 0);
    rec.onEnqueue(b, 1, 0);
    rec.onStart(a, 0, 0);
    rec.onStart(a, 0, 0);
    rec.onStart(b, 0, 5);
    rec.onEnd(a, 0, 0, 15);
    const w = rec.finish(20);
    expect(w.map((x) => [x.start, x.end, x.seconds.all, x.seconds.contended])).toEqual([[0, 10, 10, 5], [10, 20, 10, 0]]);
    // Backlogged needs running + queued ≥ 0.5 of the cluster: A has 6 of 10 CPUs, B only 0.4 of memory.
    expect(w[0]!.seconds.backlogged).toBe(0);
    // Contended [0, 5): A holds 4 CPU of 10 (dominant 0.4), B nothing.
    expect(w[0]!.shares.contended.A).toEqual({ dominant: 0.4, cpu: 0.4, mem: 0.2 });
    expect(w[0]!.shares.contended.B).toEqual({ dominant: 0, cpu: 0, mem: 0 });
    // Whole first window: B holds 0.4 of memory for 5 of 10 s → 0.2.
    expect(w[0]!.shares.all.B!.dominant).toBeCloseTo(0.2, 12);
    // Second window: A 0.4 for 5 s then 0.2 for 5 s → 0.3.
    expect(w[1]!.shares.all.A!.dominant).toBeCloseTo(0.3, 12);
    expect(shareRatio(w, 'B', 'A')).toBe(0);
    expect(shareRatio(w, 'A', 'B')).toBeNull();
    expect(shareRatio(w, 'A', 'B', 'all')).toBeCloseTo((0.4 * 10 + 0.3 * 10) / (0.2 * 10 + 0.4 * 10), 12);
  });

  it('measures 2:1 when DRF with weights 2:1 runs two saturating tenants (simulator, equal tasks)', () => {
    const cap = resources({ cpuMillis: 12_000, memMb: 12_288 });
    const tasks: Task[] = [];
    for (let i = 0; i < 200; i++) for (const tenant of ['heavy', 'light']) tasks.push(makeTask({ id: `${tenant}${i}`, tenant, arrival: i, actual: 30, request: { cpuMillis: 1000, memMb: 512 } }));
    const rec = new TenantShareRecorder(cap, ['heavy', 'light'], 60, { heavy: 2, light: 1 });
    const p = new ObservedPolicy(drf({ heavy: { weight: 2 }, light: { weight: 1 } }), rec);
    const out = simulate(tasks, p, { nodes: [{ id: 'n', capacity: cap }], failureProbability: 0, retry: DEFAULT_RETRY_POLICY, seed: 1, noiseSigma: 0 });
    const windows = rec.finish(out.metrics.makespan);
    for (const c of ['contended', 'backlogged'] as const) {
      const ratio = shareRatio(windows, 'heavy', 'light', c);
      expect(ratio).toBeGreaterThan(1.9);
      expect(ratio).toBeLessThan(2.1);
    }
  });
});
