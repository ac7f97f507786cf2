import type { AttemptLimits } from './resource-limiter.port';

/** The CFS bandwidth period (100 ms, the kernel's default): the quota is refilled once a period. */
export const CPU_PERIOD_US = 100_000;
/** The kernel refuses quotas below 1 ms. */
const MIN_QUOTA_US = 1_000;

export interface LimitSettings {
  readonly memHeadroomPct: number;
  readonly pidsMax: number | null;
}

/** Numbers a control group is given for one attempt; null = not limited in that dimension. */
export interface GroupLimits {
  /** cfs_quota_us / cpu.max quota per CPU_PERIOD_US: cpuMillis / 1000 CPUs' worth of time. */
  readonly cpuQuotaUs: number | null;
  readonly memBytes: number | null;
  readonly memLimitMb: number | null;
  readonly pidsMax: number | null;
}

/**
 * A request of 0 in a dimension means "not stated" (the schema allows it), so that dimension is not
 * limited rather than limited to nothing.
 */
export function groupLimitsFor(req: Pick<AttemptLimits, 'cpuMillis' | 'memMb'>, s: LimitSettings): GroupLimits {
  const cpuQuotaUs = req.cpuMillis > 0 ? Math.max(MIN_QUOTA_US, Math.round((req.cpuMillis / 1000) * CPU_PERIOD_US)) : null;
  const memLimitMb = req.memMb > 0 ? Math.ceil(req.memMb * (1 + s.memHeadroomPct / 100)) : null;
  return { cpuQuotaUs, memBytes: memLimitMb === null ? null : memLimitMb * 2 ** 20, memLimitMb, pidsMax: s.pidsMax };
}

/** `<prefix>-<taskId>-<attempt>`, with anything outside [A-Za-z0-9_.-] replaced (a cgroup is a directory). */
export function attemptGroupName(prefix: string, taskId: string, attempt: number): string {
  return `${prefix}-${taskId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 200)}-${attempt}`;
}

/** True for names attemptGroupName made with this prefix (what cleanup may remove). */
export function isAttemptGroupName(prefix: string, name: string): boolean {
  return name.startsWith(`${prefix}-`) && /-\d+$/.test(name);
}
