import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from '@kairos/platform';
import type { GroupWatchdog } from '../runners/group-watchdog';
import { linuxProcFs, readProcessIdentity, type KillOutcome, type ProcessGroupReaper, type ProcessIdentity, type ProcFs } from '../runners/process-group.reaper';
import type { AttemptProcessRecord, AttemptProcessRepository } from './attempt-process.repository';

export const ORPHAN_GUARD = Symbol('ORPHAN_GUARD');

/** Where this executor runs: pids and start times are comparable only within one host and one boot. */
export interface HostIdentity {
  host: string;
  /** /proc/sys/kernel/random/boot_id; null where unknown (then nothing is recorded or reaped). */
  bootId: string | null;
  /** This executor process. */
  self: ProcessIdentity;
}

export function currentHostIdentity(): HostIdentity {
  let bootId: string | null = null;
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    bootId = null;
  }
  const self = readProcessIdentity(process.pid) ?? { pid: process.pid, pgid: process.pid, startTime: null };
  return { host: hostname(), bootId, self };
}

export interface SweepEntry {
  taskId: string;
  attempt: number;
  pgid: number;
  outcome: KillOutcome | 'host rebooted' | 'owner alive';
}

export interface OrphanGuardOptions {
  graceMs?: number;
  killWaitMs?: number;
  /** Where an owning executor's liveness is read (a fake in tests). */
  procfs?: ProcFs;
}

/**
 * No orphans: records each shell attempt's process group (attempt_processes), tells the watchdog so
 * the group dies with this executor, kills at start what earlier executors on this host left running,
 * and before running attempt N of a task kills any earlier attempt's group of that task still alive on
 * this host. A group is only ever signalled after ProcessGroupReaper's identity check (never a reused pid).
 */
export class OrphanGuard {
  private readonly recorded = new Map<string, Promise<void>>();
  private readonly graceMs: number;
  private readonly killWaitMs: number;
  private readonly procfs: ProcFs;

  constructor(
    private readonly repo: AttemptProcessRepository,
    private readonly reaper: ProcessGroupReaper,
    private readonly here: HostIdentity,
    private readonly watchdog: Pick<GroupWatchdog, 'start' | 'watch' | 'unwatch' | 'stop'> | null,
    private readonly logger: Pick<Logger, 'warn'>,
    opts: OrphanGuardOptions = {},
  ) {
    this.graceMs = opts.graceMs ?? 2_000;
    this.killWaitMs = opts.killWaitMs ?? 2_000;
    this.procfs = opts.procfs ?? linuxProcFs;
  }

  /** Whether pids can be told apart from reused ones here (Linux /proc with a boot id). */
  get enabled(): boolean {
    return this.here.bootId !== null && this.here.self.startTime !== null;
  }

  /**
   * At executor start, before anything is claimed: kills the groups of attempts on this host whose
   * executor process is gone (the executor was killed, or crashed). Groups of a live executor on the
   * same host (several executors per host) are left to it.
   */
  async sweep(): Promise<SweepEntry[]> {
    if (!this.enabled) {
      this.logger.warn('no /proc boot id or process start time: leftover task processes cannot be identified, none are reaped');
      return [];
    }
    this.watchdog?.start();
    const out: SweepEntry[] = [];
    for (const r of await this.repo.open(this.here.host)) {
      if (r.bootId !== this.here.bootId) {
        await this.repo.markEnded(r.taskId, r.attempt, 'host rebooted');
        out.push({ taskId: r.taskId, attempt: r.attempt, pgid: r.pgid, outcome: 'host rebooted' });
        continue;
      }
      if (this.ownerAlive(r)) {
        out.push({ taskId: r.taskId, attempt: r.attempt, pgid: r.pgid, outcome: 'owner alive' });
        continue;
      }
      out.push({ taskId: r.taskId, attempt: r.attempt, pgid: r.pgid, outcome: await this.kill(r, 'swept at executor start') });
    }
    const killed = out.filter((e) => e.outcome === 'terminated' || e.outcome === 'killed' || e.outcome === 'survived');
    if (killed.length) this.logger.warn({ groups: killed }, 'killed task process groups left by a dead executor on this host');
    return out;
  }

  /**
   * Before attempt `attempt` of a task runs on this host: kills what earlier attempts of it left here
   * (their executor died or lost the lease; either way the attempt is over). Returns an error when a
   * group survived SIGKILL (then the attempt must not start), else null.
   */
  async clearBefore(taskId: string, attempt: number): Promise<string | null> {
    if (!this.enabled) return null;
    for (const r of await this.repo.open(this.here.host, taskId)) {
      if (r.attempt >= attempt) continue;
      if (r.bootId !== this.here.bootId) {
        await this.repo.markEnded(r.taskId, r.attempt, 'host rebooted');
        continue;
      }
      const outcome = await this.kill(r, `killed before attempt ${attempt}`);
      if (outcome === 'survived') return `attempt ${r.attempt} of this task is still running on this host (process group ${r.pgid} survived SIGKILL): not starting attempt ${attempt} beside it`;
      if (outcome !== 'gone') this.logger.warn({ taskId, attempt: r.attempt, pgid: r.pgid, outcome }, 'killed an earlier attempt left running on this host before its retry');
    }
    return null;
  }

  /** The runner reported the attempt's group: record it (attempt_processes) and hand it to the watchdog. */
  started(taskId: string, attempt: number, id: ProcessIdentity): void {
    if (!this.enabled || id.startTime === null) return;
    this.watchdog?.watch(id);
    const rec: AttemptProcessRecord = {
      taskId,
      attempt,
      host: this.here.host,
      bootId: this.here.bootId!,
      pid: id.pid,
      pgid: id.pgid,
      startTime: id.startTime,
      executorPid: this.here.self.pid,
      executorStartTime: this.here.self.startTime!,
    };
    const done = retry(() => this.repo.record(rec)).catch((err) => this.logger.warn({ err, taskId, attempt }, 'could not record the attempt process group (the watchdog still covers it)'));
    this.recorded.set(key(taskId, attempt), done);
  }

  /** The attempt ended and the runner reaped its group. */
  async ended(taskId: string, attempt: number, id: ProcessIdentity | null, reason: string): Promise<void> {
    if (id) this.watchdog?.unwatch(id);
    const k = key(taskId, attempt);
    const rec = this.recorded.get(k);
    if (!rec) return;
    this.recorded.delete(k);
    await rec;
    await retry(() => this.repo.markEnded(taskId, attempt, reason)).catch((err) => this.logger.warn({ err, taskId, attempt }, 'could not mark the attempt process group ended (the next sweep will find it gone)'));
  }

  /** Clean shutdown: the watchdog exits (nothing is left for it to kill). */
  stop(): void {
    this.watchdog?.stop();
  }

  private ownerAlive(r: AttemptProcessRecord): boolean {
    if (r.executorPid === this.here.self.pid && r.executorStartTime === this.here.self.startTime) return true;
    const now = readProcessIdentity(r.executorPid, this.procfs);
    return now !== null && now.startTime === r.executorStartTime;
  }

  private async kill(r: AttemptProcessRecord, why: string): Promise<KillOutcome> {
    const outcome = await this.reaper.killGroup({ pid: r.pid, pgid: r.pgid, startTime: r.startTime }, { graceMs: this.graceMs, killWaitMs: this.killWaitMs });
    // A survivor stays open: the next sweep or retry tries again.
    if (outcome !== 'survived') await this.repo.markEnded(r.taskId, r.attempt, outcome === 'gone' ? 'gone' : `${outcome}: ${why}`);
    return outcome;
  }
}

const key = (taskId: string, attempt: number) => `${taskId}#${attempt}`;

async function retry<T>(fn: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i + 1 >= tries) throw err;
      await new Promise((r) => setTimeout(r, 100 * 2 ** i));
    }
  }
}
