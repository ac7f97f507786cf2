import { UNLIMITED_TENANT, type TenantLimits } from '@kairos/scheduling-core';
import { GatewayError, httpStatusOf } from '../errors/gateway.errors';
import type { TenantQuotaRecord, TenantQuotaRepository } from './tenant-quota.repository';
import { TenantQuotaService } from './tenant-quota.service';

class FakeQuotas implements TenantQuotaRepository {
  readonly rows = new Map<string, TenantQuotaRecord>();
  queued = new Map<string, number>();
  finds = 0;
  counts = 0;
  async find(tenant: string) {
    this.finds++;
    return this.rows.get(tenant) ?? null;
  }
  async upsert(tenant: string, l: TenantLimits, updatedBy: string) {
    const row = { tenant, ...l, updatedBy, updatedAt: new Date(0) };
    this.rows.set(tenant, row);
    return row;
  }
  async countQueued(tenant: string) {
    this.counts++;
    return this.queued.get(tenant) ?? 0;
  }
}

const req = (cpuMillis = 100, memMb = 64) => ({ cpuMillis, memMb, gpu: 0 });

describe('TenantQuotaService', () => {
  it('a tenant without a quota: unlimited, weight 1, and no count of its queue', async () => {
    const repo = new FakeQuotas();
    const s = new TenantQuotaService(repo);
    expect(await s.get('team-a')).toMatchObject({ tenant: 'team-a', ...UNLIMITED_TENANT, updatedAt: null });
    await s.checkSubmission('team-a', [req()]);
    expect(repo.counts).toBe(0);
  });

  it('refuses over maxQueuedTasks with 429 TENANT_QUOTA_EXCEEDED naming the quota; a workflow\'s first tasks count together', async () => {
    const repo = new FakeQuotas();
    const s = new TenantQuotaService(repo);
    await s.put('team-a', { ...UNLIMITED_TENANT, maxQueuedTasks: 3 }, 'admin');
    repo.queued.set('team-a', 1);
    await s.checkSubmission('team-a', [req(), req()]);
    const err = await s.checkSubmission('team-a', [req(), req(), req()]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ code: 'TENANT_QUOTA_EXCEEDED', details: { tenant: 'team-a', quota: 'maxQueuedTasks', limit: 3 } });
    expect(httpStatusOf((err as GatewayError).code)).toBe(429);
    // Other tenants are not limited by it.
    await s.checkSubmission('team-b', [req(), req(), req(), req()]);
  });

  it('refuses a task that alone exceeds a running limit, naming that limit', async () => {
    const repo = new FakeQuotas();
    const s = new TenantQuotaService(repo);
    await s.put('team-a', { ...UNLIMITED_TENANT, maxRunningMemMb: 512 }, 'admin');
    await s.checkSubmission('team-a', [req(100, 512)]);
    await expect(s.checkSubmission('team-a', [req(100, 513)])).rejects.toMatchObject({ details: { quota: 'maxRunningMemMb', limit: 512 } });
  });

  it('reads a quota once per second per tenant; a PUT in this process takes effect at once', async () => {
    const repo = new FakeQuotas();
    const s = new TenantQuotaService(repo);
    for (let i = 0; i < 5; i++) await s.checkSubmission('team-a', [req()]);
    expect(repo.finds).toBe(1);
    await s.put('team-a', { ...UNLIMITED_TENANT, maxQueuedTasks: 0 }, 'admin');
    await expect(s.checkSubmission('team-a', [req()])).rejects.toMatchObject({ code: 'TENANT_QUOTA_EXCEEDED' });
  });
});
