import { InMemoryAttemptProcessRepository } from '../../test/fakes/in-memory-attempt-processes';
import { ProcessGroupReaper, type ProcFs } from '../runners/process-group.reaper';
import type { AttemptProcessRecord } from './attempt-process.repository';
import { OrphanGuard, type HostIdentity } from './orphan-guard';

const stat = (pid: number, state: string, pgrp: number, start: number) =>
  `${pid} (p) ${state} 1 ${pgrp} ${pgrp} 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 ${start} 1000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`;

/** A fake /proc: pid → stat line; a group dies when SIGKILL (or, unless `ignoreTerm`, SIGTERM) reaches it. */
class FakeProc implements ProcFs {
  readonly procs = new Map<number, string>();
  readonly sent: string[] = [];
  ignoreTerm = false;
  unkillable = false;
  add(pid: number, pgrp: number, start: number, state = 'S'): this {
    this.procs.set(pid, stat(pid, state, pgrp, start));
    return this;
  }
  listPids = () => [...this.procs.keys()];
  readStat = (pid: number) => this.procs.get(pid) ?? null;
  signalGroup = (pgid: number, sig: NodeJS.Signals) => {
    this.sent.push(`${pgid}:${sig}`);
    if (this.unkillable || (sig === 'SIGTERM' && this.ignoreTerm)) return;
    for (const [pid, line] of this.procs) if (Number(line.split(' ')[4]) === pgid) this.procs.delete(pid);
  };
}

const here: HostIdentity = { host: 'h1', bootId: 'boot-1', self: { pid: 10, pgid: 10, startTime: 900 } };
const row = (over: Partial<AttemptProcessRecord>): AttemptProcessRecord => ({
  taskId: '00000000-0000-4000-8000-000000000001',
  attempt: 1,
  host: 'h1',
  bootId: 'boot-1',
  pid: 100,
  pgid: 100,
  startTime: 5000,
  executorPid: 20,
  executorStartTime: 800,
  ...over,
});

describe('OrphanGuard (fake /proc, in-memory attempt_processes)', () => {
  let proc: FakeProc;
  let repo: InMemoryAttemptProcessRepository;
  let watched: string[];
  const guard = (h: HostIdentity = here) => {
    let t = 0;
    const reaper = new ProcessGroupReaper({ procfs: proc, signalGroup: proc.signalGroup, sleep: async (ms) => void (t += ms), now: () => t });
    const watchdog = { start: () => true, watch: (id: { pgid: number }) => void watched.push(`+${id.pgid}`), unwatch: (id: { pgid: number }) => void watched.push(`-${id.pgid}`), stop: () => void watched.push('stop') };
    return new OrphanGuard(repo, reaper, h, watchdog, { warn: () => undefined }, { procfs: proc, graceMs: 100, killWaitMs: 100 });
  };
  beforeEach(() => {
    proc = new FakeProc();
    repo = new InMemoryAttemptProcessRepository();
    watched = [];
  });

  it('at start kills the group of an attempt whose executor is dead, and marks it ended', async () => {
    proc.add(100, 100, 5000).add(101, 100, 5001);
    await repo.record(row({}));
    const swept = await guard().sweep();
    expect(swept).toEqual([{ taskId: row({}).taskId, attempt: 1, pgid: 100, outcome: 'terminated' }]);
    expect(proc.sent).toEqual(['100:SIGTERM']);
    expect(repo.rows[0].endReason).toBe('terminated: swept at executor start');
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    proc.ignoreTerm = true;
    proc.add(100, 100, 5000);
    await repo.record(row({}));
    expect((await guard().sweep())[0].outcome).toBe('killed');
    expect(proc.sent).toEqual(['100:SIGTERM', '100:SIGKILL']);
  });

  it('leaves the groups of a live executor on the same host alone', async () => {
    proc.add(20, 20, 800).add(100, 100, 5000);
    await repo.record(row({}));
    expect((await guard().sweep())[0].outcome).toBe('owner alive');
    expect(proc.sent).toEqual([]);
    expect(repo.rows[0].endReason).toBeNull();
  });

  it('treats an owner pid reused by another process (other start time) as dead', async () => {
    proc.add(20, 20, 12345).add(100, 100, 5000);
    await repo.record(row({}));
    expect((await guard().sweep())[0].outcome).toBe('terminated');
  });

  it('never signals a pgid now led by another process (pid reused), and closes the row', async () => {
    proc.add(100, 100, 7777);
    await repo.record(row({}));
    expect((await guard().sweep())[0].outcome).toBe('gone');
    expect(proc.sent).toEqual([]);
    expect(repo.rows[0].endReason).toBe('gone');
  });

  it('closes rows of an earlier boot without signalling, and ignores other hosts', async () => {
    proc.add(100, 100, 5000);
    await repo.record(row({ bootId: 'boot-0' }));
    await repo.record(row({ taskId: '00000000-0000-4000-8000-000000000002', host: 'h2' }));
    expect(await guard().sweep()).toEqual([{ taskId: row({}).taskId, attempt: 1, pgid: 100, outcome: 'host rebooted' }]);
    expect(proc.sent).toEqual([]);
    expect(repo.rows.map((r) => r.endReason)).toEqual(['host rebooted', null]);
  });

  it('before a retry kills the earlier attempt of that task even while its executor lives (it lost the lease)', async () => {
    proc.add(20, 20, 800).add(100, 100, 5000).add(200, 200, 6000);
    await repo.record(row({}));
    await repo.record(row({ taskId: '00000000-0000-4000-8000-000000000002', pid: 200, pgid: 200, startTime: 6000 }));
    expect(await guard().clearBefore(row({}).taskId, 2)).toBeNull();
    expect(proc.sent).toEqual(['100:SIGTERM']); // not the other task's group
    expect(proc.procs.has(200)).toBe(true);
  });

  it('refuses to start a retry beside a group that survives SIGKILL, and keeps its row open', async () => {
    proc.unkillable = true;
    proc.add(100, 100, 5000);
    await repo.record(row({}));
    expect(await guard().clearBefore(row({}).taskId, 2)).toMatch(/attempt 1 of this task is still running on this host \(process group 100 survived SIGKILL\)/);
    expect(repo.rows[0].endReason).toBeNull();
  });

  it('records a started group, hands it to the watchdog, and closes it when the attempt ends', async () => {
    const g = guard();
    g.started(row({}).taskId, 3, { pid: 300, pgid: 300, startTime: 9000 });
    await g.ended(row({}).taskId, 3, { pid: 300, pgid: 300, startTime: 9000 }, 'succeeded');
    expect(repo.rows).toEqual([{ ...row({ attempt: 3, pid: 300, pgid: 300, startTime: 9000, executorPid: 10, executorStartTime: 900 }), endReason: 'succeeded' }]);
    expect(watched).toEqual(['+300', '-300']);
  });

  it('does nothing where processes cannot be identified (no boot id)', async () => {
    proc.add(100, 100, 5000);
    await repo.record(row({}));
    const g = guard({ ...here, bootId: null });
    expect(await g.sweep()).toEqual([]);
    g.started('t', 1, { pid: 1, pgid: 1, startTime: 1 });
    expect(repo.rows).toHaveLength(1);
    expect(proc.sent).toEqual([]);
  });
});
