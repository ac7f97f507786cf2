import { spawn, type ChildProcess } from 'node:child_process';
import type { ProcessIdentity } from './process-group.reaper';

/**
 * The watchdog process, as `node -e` source (no file to find after bundling). It reads lines from
 * stdin, a pipe whose only writer is the executor:
 *   `+ <pgid> <startTime>`  a task group started;   `- <pgid>`  it ended.
 * When the pipe reaches end-of-file, the executor is gone (exit, crash, `kill -9`: the kernel closes
 * its end in every case), and the watchdog kills every group still listed — SIGTERM, then SIGKILL
 * after the grace — with the same identity check as ProcessGroupReaper (the leader, if alive, has the
 * recorded start time; members started no earlier), then exits.
 */
const WATCHDOG_SOURCE = String.raw`
const fs = require('fs');
const graceMs = Number(process.argv[1]) || 2000;
const groups = new Map();
let buf = '';
function stat(pid) {
  try {
    const t = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    const f = t.slice(t.lastIndexOf(')') + 1).trim().split(/\s+/);
    return { pid, state: f[0], pgrp: Number(f[2]), start: Number(f[19]) };
  } catch { return null; }
}
function members(pgid, start) {
  let pids = [];
  try { pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number); } catch { return []; }
  const inGroup = pids.map(stat).filter((s) => s && s.pgrp === pgid);
  const leader = inGroup.find((s) => s.pid === pgid);
  if (leader && leader.start !== start) return [];
  return inGroup.filter((s) => s.state !== 'Z' && s.start >= start);
}
function signal(pgid, start, sig) {
  if (!members(pgid, start).length) return false;
  try { process.kill(-pgid, sig); } catch {}
  return true;
}
let ending = false;
function end() {
  if (ending) return;
  ending = true;
  const live = [...groups].filter(([pgid, start]) => signal(pgid, start, 'SIGTERM'));
  const until = Date.now() + graceMs;
  const poll = () => {
    const left = live.filter(([pgid, start]) => members(pgid, start).length);
    if (!left.length) return process.exit(0);
    if (Date.now() < until) return setTimeout(poll, 50);
    for (const [pgid, start] of left) signal(pgid, start, 'SIGKILL');
    setTimeout(() => process.exit(0), 200);
  };
  poll();
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => {
  buf += c;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const [op, a, b] = buf.slice(0, i).split(' ');
    buf = buf.slice(i + 1);
    if (op === '+' && Number.isInteger(Number(a)) && Number.isFinite(Number(b))) groups.set(Number(a), Number(b));
    else if (op === '-') groups.delete(Number(a));
  }
});
process.stdin.on('end', end);
process.stdin.on('close', end);
process.stdin.on('error', end);
process.on('SIGHUP', () => {});
process.on('SIGINT', () => {});
`;

/**
 * Makes task groups die with their executor. Node has no PR_SET_PDEATHSIG for spawned children
 * (and it would reach only the direct child, not a group a task forks further), so one small watchdog
 * process per executor, in its own session, is told every task group the executor starts and kills
 * those still listed the moment the executor's end of its stdin pipe closes. Holes: a watchdog killed
 * together with its executor (`kill -9` of both, the OOM killer choosing it, a whole cgroup killed —
 * which kills the tasks too) leaves the groups running; the restarted executor's sweep (OrphanGuard)
 * finds and kills those from attempt_processes. A watchdog that dies alone is replaced after
 * `respawnMs` and told the groups still running.
 */
export class GroupWatchdog {
  private child: ChildProcess | null = null;
  /** pgid → start time of the groups running now (re-sent to a replacement watchdog). */
  private readonly groups = new Map<number, number>();
  private wanted = false;
  private respawn: NodeJS.Timeout | null = null;

  constructor(
    private readonly graceMs = 2_000,
    private readonly respawnMs = 1_000,
  ) {}

  /** Starts the watchdog; false where it could not be (non-Linux: no /proc; the guard's sweep still works). */
  start(): boolean {
    if (process.platform !== 'linux') return false;
    this.wanted = true;
    if (this.child) return true;
    const child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(this.graceMs)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: {} });
    const gone = () => {
      if (this.child !== child) return;
      this.child = null;
      // A watchdog that died alone (its executor lives) is replaced, and told the running groups.
      if (this.wanted && !this.respawn) {
        this.respawn = setTimeout(() => {
          this.respawn = null;
          if (this.wanted) this.start();
        }, this.respawnMs);
        this.respawn.unref();
      }
    };
    child.on('error', gone);
    child.on('exit', gone);
    child.stdin?.on('error', () => undefined);
    child.unref();
    // The pipe must not keep the executor's event loop alive either.
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.child = child;
    for (const [pgid, start] of this.groups) child.stdin?.write(`+ ${pgid} ${start}\n`);
    return true;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  watch(id: ProcessIdentity): void {
    if (id.startTime === null) return;
    this.groups.set(id.pgid, id.startTime);
    this.child?.stdin?.write(`+ ${id.pgid} ${id.startTime}\n`);
  }

  unwatch(id: ProcessIdentity): void {
    this.groups.delete(id.pgid);
    this.child?.stdin?.write(`- ${id.pgid}\n`);
  }

  /** Closes the pipe: the watchdog kills whatever is still listed (nothing, after a clean stop) and exits. */
  stop(): void {
    this.wanted = false;
    if (this.respawn) clearTimeout(this.respawn);
    this.respawn = null;
    const child = this.child;
    this.child = null;
    child?.stdin?.end();
  }
}
