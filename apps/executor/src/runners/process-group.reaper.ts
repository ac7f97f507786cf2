import { readdirSync, readFileSync } from 'node:fs';

/**
 * Finds and kills what is left of a task's process group, without ever signalling a stranger.
 *
 * A task runs as the leader of its own process group (pgid = its pid). A pid alone is not an
 * identity: after the task ends, the kernel may hand the same number to an unrelated process. So
 * each attempt records { pid, pgid, startTime }, startTime being field 22 of /proc/<pid>/stat (clock
 * ticks since boot, fixed for a process's life). A group belongs to the recorded attempt when
 *   - its leader (pid = pgid) is alive with the recorded start time, or
 *   - its leader is gone and the remaining members started no earlier than the leader did (a pgid
 *     cannot be reused while any member lives, and a new group with that id would have a new leader).
 * Zombies count as dead. Linux only (/proc); where startTime is unknown nothing is signalled.
 */

export interface ProcessIdentity {
  pid: number;
  pgid: number;
  /** /proc/<pid>/stat field 22 (clock ticks after boot); null where /proc is unavailable. */
  startTime: number | null;
}

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  startTime: number;
}

/** The part of /proc the reaper reads (a fake in tests). */
export interface ProcFs {
  listPids(): number[];
  readStat(pid: number): string | null;
}

export const linuxProcFs: ProcFs = {
  listPids: () => {
    try {
      return readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .map(Number);
    } catch {
      return [];
    }
  },
  readStat: (pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
  },
};

/** Parses /proc/<pid>/stat; the command name (field 2) may itself contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 1).trim().split(/\s+/); // f[0] is field 3 (state)
  if (f.length < 20 || !Number.isInteger(pid)) return null;
  const stat = { pid, state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), startTime: Number(f[19]) };
  return [stat.ppid, stat.pgrp, stat.startTime].every(Number.isFinite) ? stat : null;
}

export function readProcessIdentity(pid: number, procfs: ProcFs = linuxProcFs): ProcessIdentity | null {
  const text = procfs.readStat(pid);
  const stat = text === null ? null : parseProcStat(text);
  return stat ? { pid, pgid: stat.pgrp, startTime: stat.startTime } : null;
}

export type KillOutcome = 'gone' | 'terminated' | 'killed' | 'survived' | 'unverifiable';

export interface ReaperDeps {
  procfs?: ProcFs;
  /** Signals a whole group; must not throw when it is gone. */
  signalGroup?: (pgid: number, signal: NodeJS.Signals) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSignalGroup = (pgid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* ESRCH: already gone */
  }
};

export class ProcessGroupReaper {
  private readonly procfs: ProcFs;
  private readonly signal: (pgid: number, signal: NodeJS.Signals) => void;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(deps: ReaperDeps = {}) {
    this.procfs = deps.procfs ?? linuxProcFs;
    this.signal = deps.signalGroup ?? defaultSignalGroup;
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = deps.now ?? Date.now;
  }

  /** Live (non-zombie) processes of the recorded group; [] if it is gone or the pgid is someone else's now. */
  members(id: ProcessIdentity): ProcStat[] {
    if (id.startTime === null) return [];
    const inGroup: ProcStat[] = [];
    for (const pid of this.procfs.listPids()) {
      const text = this.procfs.readStat(pid);
      const s = text === null ? null : parseProcStat(text);
      if (s && s.pgrp === id.pgid) inGroup.push(s);
    }
    const leader = inGroup.find((s) => s.pid === id.pgid);
    if (leader && leader.startTime !== id.startTime) return []; // the pgid was reused
    return inGroup.filter((s) => s.state !== 'Z' && s.startTime >= id.startTime!);
  }

  isAlive(id: ProcessIdentity): boolean {
    return this.members(id).length > 0;
  }

  /** Sends one signal to the group if it is still the recorded one; false if nothing was signalled. */
  signalIfOurs(id: ProcessIdentity, signal: NodeJS.Signals): boolean {
    if (!this.isAlive(id)) return false;
    this.signal(id.pgid, signal);
    return true;
  }

  /** SIGTERM, wait up to graceMs, then SIGKILL (identity re-checked before each signal). */
  async killGroup(id: ProcessIdentity, opts: { graceMs?: number; killWaitMs?: number; pollMs?: number } = {}): Promise<KillOutcome> {
    const { graceMs = 2_000, killWaitMs = 2_000, pollMs = 25 } = opts;
    if (id.startTime === null) return 'unverifiable';
    if (!this.signalIfOurs(id, 'SIGTERM')) return 'gone';
    if (await this.waitGone(id, graceMs, pollMs)) return 'terminated';
    if (!this.signalIfOurs(id, 'SIGKILL')) return 'terminated';
    return (await this.waitGone(id, killWaitMs, pollMs)) ? 'killed' : 'survived';
  }

  private async waitGone(id: ProcessIdentity, ms: number, pollMs: number): Promise<boolean> {
    const until = this.now() + ms;
    for (;;) {
      if (!this.isAlive(id)) return true;
      if (this.now() >= until) return false;
      await this.sleep(pollMs);
    }
  }
}
