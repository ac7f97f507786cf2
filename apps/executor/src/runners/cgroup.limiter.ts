import { attemptGroupName, groupLimitsFor, isAttemptGroupName, type GroupLimits, type LimitSettings } from './attempt-limits';
import type { CgroupBackend } from './cgroup.backend';
import { errnoOf } from './cgroup.fs';
import { GATE_SCRIPT } from './process-gate';
import type { AttemptCage, AttemptLimits, AttemptUsage, LimiterStatus, ResourceLimiter, WrappedCommand } from './resource-limiter.port';

export interface CgroupLimiterOptions {
  /** Group names are `<prefix>-<taskId>-<attempt>`; cleanup removes only names with this prefix. */
  readonly prefix: string;
  readonly settings: LimitSettings;
  /** Why this mode was chosen over a stronger one (reported in status). */
  readonly reason?: string | null;
  readonly kill?: (pid: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** How long close() waits for the group to empty and be removable. */
  readonly closeTimeoutMs?: number;
}

const defaultKill = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
};

/**
 * A control group per attempt (v1 or v2, see cgroup.backend.ts). The group exists with its limits
 * before the task's process does, and the process enters it while it waits at the gate (see
 * process-gate.ts), so nothing the task runs escapes: children, daemons that setsid() away from the
 * process group, and their memory and CPU time are all the group's.
 */
export class CgroupLimiter implements ResourceLimiter {
  readonly mode: 'cgroup-v1' | 'cgroup-v2';
  private readonly kill: (pid: number) => void;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly backend: CgroupBackend,
    private readonly opts: CgroupLimiterOptions,
  ) {
    this.mode = backend.mode;
    this.kill = opts.kill ?? defaultKill;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  status(): LimiterStatus {
    return {
      mode: this.mode,
      enforced: { cpu: true, memory: 'tree', pids: this.backend.enforcesPids && this.opts.settings.pidsMax !== null, usage: 'cgroup' },
      memHeadroomPct: this.opts.settings.memHeadroomPct,
      pidsMax: this.backend.enforcesPids ? this.opts.settings.pidsMax : null,
      groupParents: this.backend.parents,
      reason: this.opts.reason ?? null,
    };
  }

  prepare(l: AttemptLimits): AttemptCage {
    const name = attemptGroupName(this.opts.prefix, l.taskId, l.attempt);
    const limits = groupLimitsFor(l, this.opts.settings);
    if (this.backend.exists(name)) {
      // Left by a crash of this very attempt's earlier run: nothing in it may survive into this one.
      this.backend.killAll(name, this.kill);
      this.backend.remove(name);
    }
    this.backend.create(name, limits);
    return new CgroupCage(this.backend, name, limits, this.kill, this.sleep, this.opts.closeTimeoutMs ?? 5_000);
  }

  async cleanupLeftovers(): Promise<string[]> {
    const names = this.backend.list().filter((n) => isAttemptGroupName(this.opts.prefix, n));
    for (const name of names) await emptyAndRemove(this.backend, name, this.kill, this.sleep, 5_000);
    return names;
  }
}

class CgroupCage implements AttemptCage {
  readonly memLimitMb: number | null;
  private peakBytes = 0;
  private last: AttemptUsage | null = null;
  private lastOom = 0;
  private closed: Promise<AttemptUsage | null> | null = null;
  /** Set once the final counters were read (the group is about to go). */
  private final = false;

  constructor(
    private readonly backend: CgroupBackend,
    readonly name: string,
    limits: GroupLimits,
    private readonly kill: (pid: number) => void,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly closeTimeoutMs: number,
  ) {
    this.memLimitMb = limits.memLimitMb;
  }

  wrap(program: string, args: readonly string[]): WrappedCommand {
    return { program: '/bin/sh', args: ['-c', GATE_SCRIPT, 'kairos-gate', program, ...args], gated: true };
  }

  admit(pid: number): void {
    this.backend.admit(this.name, pid);
  }

  sample(): AttemptUsage | null {
    if (this.final) return this.last;
    try {
      const c = this.backend.counters(this.name);
      this.peakBytes = Math.max(this.peakBytes, c.memCurrentBytes, c.memPeakBytes ?? 0);
      this.lastOom = c.oomKills;
      this.last = { source: 'cgroup', cpuSeconds: round(c.cpuSeconds, 6), peakMemMb: round(this.peakBytes / 2 ** 20, 3), throttledSeconds: c.throttledSeconds === null ? null : round(c.throttledSeconds, 6) };
    } catch {
      /* group already removed: keep the last sample */
    }
    return this.last;
  }

  oomKills(): number {
    this.sample();
    return this.lastOom;
  }

  close(): Promise<AttemptUsage | null> {
    this.closed ??= (async () => {
      await killUntilEmpty(this.backend, this.name, this.kill, this.sleep, this.closeTimeoutMs);
      this.sample();
      this.final = true;
      const final = this.last;
      await removeWithRetry(this.backend, this.name, this.sleep, this.closeTimeoutMs);
      return final;
    })();
    return this.closed;
  }
}

async function killUntilEmpty(b: CgroupBackend, name: string, kill: (pid: number) => void, sleep: (ms: number) => Promise<void>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (b.procs(name).length === 0) return;
    b.killAll(name, kill);
    if (Date.now() >= until) return;
    await sleep(10);
  }
}

async function removeWithRetry(b: CgroupBackend, name: string, sleep: (ms: number) => Promise<void>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      b.remove(name);
      return true;
    } catch (err) {
      // EBUSY until the last member has fully exited; anything else will not get better.
      if (errnoOf(err) !== 'EBUSY' || Date.now() >= until) return false;
      await sleep(10);
    }
  }
}

async function emptyAndRemove(b: CgroupBackend, name: string, kill: (pid: number) => void, sleep: (ms: number) => Promise<void>, timeoutMs: number): Promise<boolean> {
  await killUntilEmpty(b, name, kill, sleep, timeoutMs);
  return removeWithRetry(b, name, sleep, timeoutMs);
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
