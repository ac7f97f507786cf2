import { spawn, type ChildProcess } from 'node:child_process';
import { GroupWatchdog } from './group-watchdog';
import { ProcessGroupReaper, readProcessIdentity, type ProcessIdentity } from './process-group.reaper';

// Real processes: the watchdog is a separate node process reading a pipe.
jest.setTimeout(30_000);

const linux = process.platform === 'linux' ? describe : describe.skip;

linux('GroupWatchdog (real processes)', () => {
  const groups: ChildProcess[] = [];
  const startGroup = (cmd: string): ProcessIdentity => {
    const c = spawn('sh', ['-c', cmd], { detached: true, stdio: 'ignore' });
    groups.push(c);
    return readProcessIdentity(c.pid!)!;
  };
  const reaper = new ProcessGroupReaper();
  const waitUntil = async (cond: () => boolean, ms: number) => {
    const until = Date.now() + ms;
    while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    return cond();
  };
  afterAll(() => {
    for (const c of groups) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });

  it('kills every listed group, children included, when its pipe closes (as when the executor dies), and spares unlisted and ended ones', async () => {
    const dog = new GroupWatchdog(300);
    expect(dog.start()).toBe(true);
    const listed = startGroup('sleep 30 & sleep 30; wait');
    const trapsTerm = startGroup("trap '' TERM; sleep 30 & wait");
    const unlisted = startGroup('sleep 30');
    const unwatched = startGroup('sleep 30');
    dog.watch(listed);
    dog.watch(trapsTerm);
    dog.watch(unwatched);
    dog.unwatch(unwatched);
    await new Promise((r) => setTimeout(r, 200));
    expect([listed, trapsTerm, unlisted, unwatched].every((g) => reaper.isAlive(g))).toBe(true);
    dog.stop();
    expect(await waitUntil(() => !reaper.isAlive(listed) && !reaper.isAlive(trapsTerm), 10_000)).toBe(true);
    expect(reaper.isAlive(unlisted)).toBe(true);
    expect(reaper.isAlive(unwatched)).toBe(true);
  });

  it('does not signal a group whose recorded start time does not match (a reused pgid)', async () => {
    const dog = new GroupWatchdog(300);
    dog.start();
    const g = startGroup('sleep 30');
    dog.watch({ ...g, startTime: g.startTime! - 1 });
    dog.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(reaper.isAlive(g)).toBe(true);
  });

  it('replaces a watchdog that died alone and tells it the running groups', async () => {
    const dog = new GroupWatchdog(300, 100);
    dog.start();
    const g = startGroup('sleep 30');
    dog.watch(g);
    const first = dog.pid!;
    process.kill(first, 'SIGKILL');
    expect(await waitUntil(() => dog.pid !== null && dog.pid !== first, 5_000)).toBe(true);
    expect(reaper.isAlive(g)).toBe(true);
    dog.stop();
    expect(await waitUntil(() => !reaper.isAlive(g), 10_000)).toBe(true);
  });
});
