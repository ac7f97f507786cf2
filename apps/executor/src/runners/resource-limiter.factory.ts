import { readFileSync } from 'node:fs';
import type { KairosConfig } from '@kairos/platform';
import type { LimitSettings } from './attempt-limits';
import { CgroupV1Backend, CgroupV2Backend, type CgroupBackend } from './cgroup.backend';
import { parseCgroupMounts, parseProcCgroup } from './cgroup-layout';
import { nodeCgroupFs, type CgroupFs } from './cgroup.fs';
import { CgroupLimiter } from './cgroup.limiter';
import { ResourceLimitError, type ResourceLimiter } from './resource-limiter.port';
import { NoLimiter, RlimitLimiter } from './rlimit.limiter';

export type LimiterConfig = Pick<KairosConfig, 'TASK_LIMITS' | 'TASK_MEM_HEADROOM_PCT' | 'TASK_PIDS_MAX' | 'TASK_CGROUP_PARENT'>;

export interface LimiterHost {
  readonly fs: CgroupFs;
  /** /proc/self/mountinfo */
  readonly mountinfo: () => string;
  /** /proc/self/cgroup */
  readonly procCgroup: () => string;
}

export const linuxHost: LimiterHost = {
  fs: nodeCgroupFs,
  mountinfo: () => readFileSync('/proc/self/mountinfo', 'utf8'),
  procCgroup: () => readFileSync('/proc/self/cgroup', 'utf8'),
};

export interface LimiterOptions {
  /** Attempt groups are `<prefix>-<taskId>-<attempt>` (default `kairos`); one prefix per executor sharing a parent. */
  readonly prefix?: string;
  readonly host?: LimiterHost;
}

/**
 * Chooses how task limits are enforced (TASK_LIMITS): `auto` takes the strongest mode that works
 * here, v2 then v1 then rlimits, and says in status().reason why it fell back; `cgroup` refuses to
 * start without a working cgroup. "Works" means a probe group was created with limits and removed.
 */
export async function createResourceLimiter(config: LimiterConfig, opts: LimiterOptions = {}): Promise<ResourceLimiter> {
  const settings: LimitSettings = { memHeadroomPct: config.TASK_MEM_HEADROOM_PCT, pidsMax: config.TASK_PIDS_MAX };
  if (config.TASK_LIMITS === 'off') return new NoLimiter();
  if (config.TASK_LIMITS === 'rlimit') return new RlimitLimiter(settings, null);
  try {
    return await cgroupLimiter(config, settings, opts);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (config.TASK_LIMITS === 'cgroup') throw new ResourceLimitError('LIMITS_UNAVAILABLE', `TASK_LIMITS=cgroup but no cgroup is usable: ${why}`);
    return new RlimitLimiter(settings, `no usable cgroup: ${why}`);
  }
}

async function cgroupLimiter(config: LimiterConfig, settings: LimitSettings, opts: LimiterOptions): Promise<CgroupLimiter> {
  const host = opts.host ?? linuxHost;
  const backend = pickBackend(host, config.TASK_CGROUP_PARENT ?? null);
  backend.setUp();
  const limiter = new CgroupLimiter(backend, { prefix: opts.prefix ?? 'kairos', settings });
  const probe = limiter.prepare({ taskId: `probe.${process.pid}`, attempt: 0, cpuMillis: 100, memMb: 16 });
  await probe.close();
  return limiter;
}

function pickBackend(host: LimiterHost, parent: string | null): CgroupBackend {
  let mounts;
  let own;
  try {
    mounts = parseCgroupMounts(host.mountinfo());
    own = parseProcCgroup(host.procCgroup());
  } catch (err) {
    throw new ResourceLimitError('LIMITS_UNAVAILABLE', `cannot read /proc (${err instanceof Error ? err.message : String(err)})`);
  }
  const unified = mounts.find((m) => m.version === 2);
  if (unified) {
    let controllers: string[] = [];
    try {
      controllers = host.fs.read(`${unified.mountPoint}/cgroup.controllers`).trim().split(/\s+/);
    } catch {
      /* unreadable: not usable */
    }
    // Hybrid hosts mount an empty cgroup2 next to the v1 controllers: use it only if it has them.
    if (controllers.includes('cpu') && controllers.includes('memory')) return new CgroupV2Backend(host.fs, unified, own.get('') ?? '/', parent);
  }
  if (mounts.some((m) => m.version === 1)) return new CgroupV1Backend(host.fs, mounts, own, parent);
  throw new ResourceLimitError('LIMITS_UNAVAILABLE', 'no cgroup hierarchy with the cpu and memory controllers is mounted');
}
