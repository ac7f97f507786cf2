import { z } from 'zod';

/**
 * Tenants (issue #18): every API key belongs to one; tasks, workflows and schedules are the tenant's
 * of the key that submitted them. A tenant is a slug: lower-case letters, digits and '-', starting
 * with a letter or digit, at most 63 characters (a DNS label, so it can name a namespace or a cgroup).
 */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** The tenant of keys and objects made before tenants existed, of the bootstrap admin key, and of unauthenticated submissions (KAIROS_AUTH=off). */
export const DEFAULT_TENANT = 'default';

export const TenantSchema = z
  .string()
  .max(63, { message: 'tenant must be at most 63 characters', abort: true })
  .regex(TENANT_PATTERN, 'tenant must be lower-case letters, digits and "-", starting with a letter or digit (^[a-z0-9][a-z0-9-]{0,62}$)');
export type Tenant = z.infer<typeof TenantSchema>;

/** Is `value` a well-formed tenant slug? */
export function isTenant(value: unknown): value is string {
  return typeof value === 'string' && TENANT_PATTERN.test(value);
}

const quotaValue = (field: string, max: number) =>
  z
    .number({ message: `${field} must be a non-negative integer or null (unlimited)` })
    .int(`${field} must be an integer`)
    .min(0, `${field} must be >= 0`)
    .max(max, `${field} must be <= ${max}`)
    .nullable();

/**
 * A tenant's quota (PUT /api/tenants/:tenant/quota). null (or absent) = unlimited. The running limits
 * bound what the tenant's running tasks request together (their `resources`), cluster-wide; a task over
 * them stays queued while other tenants run. `maxQueuedTasks` bounds waiting tasks: a submission beyond
 * it is refused (429 TENANT_QUOTA_EXCEEDED). `weight` is the tenant's fair-share weight (default 1).
 */
export const TenantQuotaSchema = z
  .object({
    maxQueuedTasks: quotaValue('maxQueuedTasks', 10_000_000).optional().default(null),
    maxRunningCpuMillis: quotaValue('maxRunningCpuMillis', 1_000_000_000).optional().default(null),
    maxRunningMemMb: quotaValue('maxRunningMemMb', 1_000_000_000).optional().default(null),
    maxRunningGpus: quotaValue('maxRunningGpus', 1_000_000).optional().default(null),
    weight: z
      .number({ message: 'weight must be a positive number' })
      .positive('weight must be > 0')
      .max(1_000_000, 'weight must be <= 1000000')
      .optional()
      .default(1),
  })
  .strict();
export type TenantQuotaInput = z.input<typeof TenantQuotaSchema>;
export type TenantQuotaSpec = z.output<typeof TenantQuotaSchema>;
