import { randomUUID } from 'node:crypto';
import { TaskQueuedSchema } from './events.schema';
import { DEFAULT_TENANT, isTenant, TenantQuotaSchema, TenantSchema } from './tenant.schema';

describe('tenant slug', () => {
  it.each(['default', 'a', 'team-a', '0', '9lives', 'a'.repeat(63), 'a-'])('accepts %s', (t) => {
    expect(TenantSchema.safeParse(t).success).toBe(true);
    expect(isTenant(t)).toBe(true);
  });
  it.each(['', '-a', 'Team', 'team_a', 'team a', 'a'.repeat(64), 'ä', 'a\u0000', 'a.b'])('refuses %j, naming the rule', (t) => {
    const r = TenantSchema.safeParse(t);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toContain('tenant');
    expect(isTenant(t)).toBe(false);
  });
  it('refuses non-strings', () => {
    expect(isTenant(1)).toBe(false);
    expect(TenantSchema.safeParse(null).success).toBe(false);
  });
});

describe('tenant quota body', () => {
  it('defaults: every limit null (unlimited), weight 1', () => {
    expect(TenantQuotaSchema.parse({})).toEqual({ maxQueuedTasks: null, maxRunningCpuMillis: null, maxRunningMemMb: null, maxRunningGpus: null, weight: 1 });
    expect(TenantQuotaSchema.parse({ maxQueuedTasks: 0, maxRunningGpus: null, weight: 2.5 })).toMatchObject({ maxQueuedTasks: 0, maxRunningGpus: null, weight: 2.5 });
  });
  it.each([
    [{ maxQueuedTasks: -1 }, 'maxQueuedTasks'],
    [{ maxRunningCpuMillis: 1.5 }, 'maxRunningCpuMillis'],
    [{ maxRunningMemMb: '100' }, 'maxRunningMemMb'],
    [{ maxRunningGpus: 2_000_000 }, 'maxRunningGpus'],
    [{ weight: 0 }, 'weight'],
    [{ weight: null }, 'weight'],
    [{ maxQueued: 1 }, 'maxQueued'],
  ])('refuses %j naming %s', (body, field) => {
    const r = TenantQuotaSchema.safeParse(body);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(field);
  });
});

describe('task.queued.v1 tenant', () => {
  const payload = { taskId: randomUUID(), name: null, queue: 'q', priority: 50, run: { kind: 'noop', sleepMs: 0 }, resources: { cpuMillis: 1, memMb: 1, gpu: 0 }, timeoutMs: 1000, maxAttempts: 1, submittedAt: new Date(0).toISOString() };
  it('an event written before tenants (no field) is still valid and is the default tenant\'s', () => {
    expect(TaskQueuedSchema.parse(payload).tenant).toBe(DEFAULT_TENANT);
  });
  it('carries the tenant; a malformed one is refused', () => {
    expect(TaskQueuedSchema.parse({ ...payload, tenant: 'team-a' }).tenant).toBe('team-a');
    expect(TaskQueuedSchema.safeParse({ ...payload, tenant: 'Team A' }).success).toBe(false);
  });
});
