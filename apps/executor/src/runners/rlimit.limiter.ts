import { groupLimitsFor, type LimitSettings } from './attempt-limits';
import type { AttemptCage, AttemptLimits, LimiterStatus, ResourceLimiter, WrappedCommand } from './resource-limiter.port';

/** Sets RLIMIT_DATA (KiB) in the wrapper shell, then execs the task: the limit is inherited, no race. */
export const RLIMIT_SCRIPT = 'ulimit -d "$1" || exit 125; shift; exec "$@"';

/**
 * The fallback where no cgroup is writable: each process of the task gets RLIMIT_DATA = request +
 * headroom (its heap and private writable mappings; RLIMIT_AS would also count reserved address
 * space, which kills V8 and the JVM at start-up). Weaker than a cgroup in every way, and reported as
 * such: per process, not per tree; no CPU quota; no usage accounting; a task over the limit sees
 * allocations fail and ends `failed` with its own error, not `oom_killed`.
 */
export class RlimitLimiter implements ResourceLimiter {
  readonly mode = 'rlimit' as const;

  constructor(
    private readonly settings: LimitSettings,
    private readonly reason: string | null,
  ) {}

  status(): LimiterStatus {
    return { mode: this.mode, enforced: { cpu: false, memory: 'process', pids: false, usage: null }, memHeadroomPct: this.settings.memHeadroomPct, pidsMax: null, groupParents: [], reason: this.reason };
  }

  prepare(l: AttemptLimits): AttemptCage {
    const { memLimitMb } = groupLimitsFor(l, this.settings);
    return {
      memLimitMb,
      wrap: (program, args): WrappedCommand =>
        memLimitMb === null ? { program, args, gated: false } : { program: '/bin/sh', args: ['-c', RLIMIT_SCRIPT, 'kairos-limits', String(memLimitMb * 1024), program, ...args], gated: false },
      admit: () => {},
      sample: () => null,
      oomKills: () => 0,
      close: () => Promise.resolve(null),
    };
  }

  cleanupLeftovers(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

/** TASK_LIMITS=off: requests are bookkeeping only (the task is spawned as it is). */
export class NoLimiter implements ResourceLimiter {
  readonly mode = 'off' as const;
  constructor(private readonly reason: string | null = null) {}
  status(): LimiterStatus {
    return { mode: this.mode, enforced: { cpu: false, memory: null, pids: false, usage: null }, memHeadroomPct: 0, pidsMax: null, groupParents: [], reason: this.reason };
  }
  prepare(): AttemptCage {
    return { memLimitMb: null, wrap: (program, args) => ({ program, args, gated: false }), admit: () => {}, sample: () => null, oomKills: () => 0, close: () => Promise.resolve(null) };
  }
  cleanupLeftovers(): Promise<string[]> {
    return Promise.resolve([]);
  }
}
