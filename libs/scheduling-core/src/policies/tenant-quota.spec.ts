import { resources } from '../model/resources';
import { checkTenantSubmission, runningQuotaOf, tenantShareOf, TenantRunningLedger, UNLIMITED_TENANT, type TenantLimits } from './tenant-quota';

const limits = (l: Partial<TenantLimits>): TenantLimits => ({ ...UNLIMITED_TENANT, ...l });

describe('tenant quotas', () => {
  it('maps stored limits to a running-quota vector and a fair-share TenantShare (null = unlimited)', () => {
    expect(runningQuotaOf(UNLIMITED_TENANT)).toEqual({});
    expect(runningQuotaOf(limits({ maxRunningCpuMillis: 2000, maxRunningGpus: 0 }))).toEqual({ cpuMillis: 2000, gpu: 0 });
    expect(tenantShareOf(limits({ maxQueuedTasks: 5, maxRunningMemMb: 512, weight: 2 }))).toEqual({ weight: 2, quota: { running: { memMb: 512 }, queuedTasks: 5 } });
  });

  it.each([
    ['unlimited', UNLIMITED_TENANT, 1_000_000, { cpuMillis: 64_000 }, null],
    ['below maxQueuedTasks', limits({ maxQueuedTasks: 3 }), 2, {}, null],
    ['at maxQueuedTasks', limits({ maxQueuedTasks: 3 }), 3, {}, 'maxQueuedTasks'],
    ['maxQueuedTasks 0 refuses everything', limits({ maxQueuedTasks: 0 }), 0, {}, 'maxQueuedTasks'],
    ['a task larger than the running CPU limit could never start', limits({ maxRunningCpuMillis: 1000 }), 0, { cpuMillis: 1500 }, 'maxRunningCpuMillis'],
    ['exactly the running memory limit fits', limits({ maxRunningMemMb: 256 }), 0, { memMb: 256 }, null],
    ['one GPU over a GPU limit of 0', limits({ maxRunningGpus: 0 }), 0, { gpu: 1 }, 'maxRunningGpus'],
  ] as const)('submission: %s', (_name, l, queued, request, refusedBy) => {
    const v = checkTenantSubmission('team-a', request, queued, l);
    if (refusedBy === null) expect(v).toEqual({ ok: true });
    else expect(v).toMatchObject({ ok: false, quota: refusedBy, reason: expect.stringContaining(refusedBy) });
  });

  it('ledger: admits up to the running limit in every dimension, charges per dispatch, other tenants unaffected', () => {
    const quotas: Record<string, TenantLimits> = { a: limits({ maxRunningCpuMillis: 1000, maxRunningMemMb: 1024 }) };
    const ledger = new TenantRunningLedger(new Map([['a', { cpuMillis: 500, memMb: 100 }]]), (t) => quotas[t] ?? UNLIMITED_TENANT);
    const half = resources({ cpuMillis: 500, memMb: 100 });
    expect(ledger.admits('a', half)).toBe(true);
    expect(ledger.admits('a', half, 2)).toBe(false);
    ledger.charge('a', half);
    expect(ledger.usageOf('a')).toMatchObject({ cpuMillis: 1000, memMb: 200 });
    expect(ledger.admits('a', resources({ cpuMillis: 1, memMb: 1 }))).toBe(false);
    // CPU-free work still fits under the memory limit.
    expect(ledger.admits('a', resources({ memMb: 824 }))).toBe(true);
    expect(ledger.admits('a', resources({ memMb: 825 }))).toBe(false);
    // Tenant b has no quota row: unlimited.
    ledger.charge('b', resources({ cpuMillis: 1e6 }));
    expect(ledger.admits('b', resources({ cpuMillis: 1e6 }))).toBe(true);
  });
});
