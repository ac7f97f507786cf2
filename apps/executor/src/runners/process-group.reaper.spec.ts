import { spawn, type ChildProcess } from 'node:child_process';
import { parseProcStat, ProcessGroupReaper, readProcessIdentity, type ProcFs, type ProcessIdentity } from './process-group.reaper';

// In-process servers and real processes: slow only when the machine is busy (the full suite runs in parallel).
jest.setTimeout(30_000);

const stat = (pid: number, comm: string, state: string, pgrp: number, start: number) =>
  `${pid} (${comm}) ${state} 1 ${pgrp} ${pgrp} 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 ${start} 1000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`;

describe('parseProcStat', () => {
  it('reads state, ppid, pgrp and start time (field 22) even when the name has spaces and parentheses', () => {
    expect(parseProcStat(stat(42, 'we ird) (name', 'S', 40, 123456))).toEqual({ pid: 42, state: 'S', ppid: 1, pgrp: 40, startTime: 123456 });
    expect(parseProcStat('garbage')).toBeNull();
  });
  it('matches the real /proc/self/stat of this process', () => {
    const me = readProcessIdentity(process.pid);
    expect(me).toMatchObject({ pid: process.pid, pgid: expect.any(Number), startTime: expect.any(Number) });
    expect(me!.startTime).toBeGreaterThan(0);
  });
});

describe('ProcessGroupReaper identity rules (fake /proc)', () => {
  const fs = (rows: string[]): ProcFs => {
    const byPid = new Map(rows.map((r) => [Number(r.split(' ')[0]), r]));
    return { listPids: () => [...byPid.keys()], readStat: (pid) => byPid.get(pid) ?? null };
  };
  const id: ProcessIdentity = { pid: 100, pgid: 100, startTime: 5000 };
  it.each([
    ['the leader alive with its start time', [stat(100, 'sh', 'S', 100, 5000), stat(101, 'sleep', 'S', 100, 5001)], true],
    ['the leader gone, a member left', [stat(101, 'sleep', 'S', 100, 5001)], true],
    ['the pgid reused by a newer leader', [stat(100, 'other', 'S', 100, 9000), stat(101, 'x', 'S', 100, 9001)], false],
    ['only zombies left', [stat(100, 'sh', 'Z', 100, 5000), stat(101, 'sleep', 'Z', 100, 5001)], false],
    ['nothing in the group', [stat(7, 'init', 'S', 7, 1)], false],
    ['a process older than the leader in that group (cannot be ours)', [stat(55, 'old', 'S', 100, 10)], false],
  ])('%s → alive %s', (_what, rows, alive) => {
    expect(new ProcessGroupReaper({ procfs: fs(rows), signalGroup: () => {} }).isAlive(id)).toBe(alive);
  });
  it('never signals an unverifiable or foreign group', async () => {
    const sent: string[] = [];
    const reaper = new ProcessGroupReaper({ procfs: fs([stat(100, 'other', 'S', 100, 9000)]), signalGroup: (g, s) => sent.push(`${g}:${s}`) });
    expect(await reaper.killGroup(id)).toBe('gone');
    expect(await reaper.killGroup({ ...id, startTime: null })).toBe('unverifiable');
    expect(sent).toEqual([]);
  });
  it('escalates to SIGKILL after the grace period (injected clock)', async () => {
    let t = 0;
    const alive = new Set([100, 101]);
    const procfs: ProcFs = { listPids: () => [...alive], readStat: (pid) => (alive.has(pid) ? stat(pid, 'p', 'S', 100, pid === 100 ? 5000 : 5001) : null) };
    const sent: string[] = [];
    const reaper = new ProcessGroupReaper({
      procfs,
      signalGroup: (_g, s) => {
        sent.push(s);
        if (s === 'SIGKILL') alive.clear(); // TERM is ignored
      },
      sleep: async (ms) => {
        t += ms;
      },
      now: () => t,
    });
    expect(await reaper.killGroup(id, { graceMs: 1000, pollMs: 100 })).toBe('killed');
    expect(sent).toEqual(['SIGTERM', 'SIGKILL']);
    expect(t).toBeGreaterThanOrEqual(1000);
  });
});

describe('ProcessGroupReaper on real process groups', () => {
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const c of started) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  /** A detached shell (its own group) with background children, like a task. */
  const group = (script: string): ProcessIdentity => {
    const c = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    started.push(c);
    const id = readProcessIdentity(c.pid!);
    expect(id).not.toBeNull();
    return id!;
  };
  const reaper = new ProcessGroupReaper();

  it('finds a group, and SIGTERM ends it', async () => {
    const id = group('sleep 30 & sleep 30 & wait');
    expect(id.pgid).toBe(id.pid);
    await new Promise((r) => setTimeout(r, 100)); // let the shell start its children
    expect(reaper.members(id).length).toBeGreaterThanOrEqual(2);
    expect(reaper.isAlive(id)).toBe(true);
    expect(await reaper.killGroup(id, { graceMs: 3000 })).toBe('terminated');
    expect(reaper.isAlive(id)).toBe(false);
  });

  it('a group that ignores SIGTERM is killed after the grace period, stragglers included', async () => {
    const id = group('trap "" TERM; sleep 30 & sleep 30 & wait');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    expect(await reaper.killGroup(id, { graceMs: 300 })).toBe('killed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(reaper.isAlive(id)).toBe(false);
  });

  it('finds the members of a group whose leader already exited (a task that backgrounded work)', async () => {
    const id = group('sleep 30 & exit 0');
    await new Promise((r) => setTimeout(r, 300));
    expect(readProcessIdentity(id.pid)).toBeNull(); // the shell exited and was reaped
    expect(reaper.members(id).some((m) => m.pid !== id.pid)).toBe(true);
    expect(await reaper.killGroup(id, { graceMs: 2000 })).toBe('terminated');
  });

  it('leaves a live group alone when the recorded start time does not match (a reused pid)', async () => {
    const id = group('sleep 30');
    const wrong = { ...id, startTime: id.startTime! + 1 };
    expect(reaper.isAlive(wrong)).toBe(false);
    expect(await reaper.killGroup(wrong)).toBe('gone');
    expect(reaper.isAlive(id)).toBe(true);
    expect(await reaper.killGroup(id)).toBe('terminated');
  });
});
