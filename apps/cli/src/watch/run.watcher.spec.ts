import { KairosClientError, type TaskDetail } from '@kairos/client';
import { makeTaskView } from '../../test/api-factories';
import { watchRun, type WatchDeps } from './run.watcher';

function deps(views: Array<TaskDetail | Error>, isTTY: boolean) {
  let clock = 0;
  let out = '';
  let i = 0;
  const d: WatchDeps = {
    client: {
      getTask: async () => {
        const v = views[Math.min(i++, views.length - 1)];
        if (v instanceof Error) throw v;
        return v;
      },
      getWorkflow: async () => {
        throw new Error('not a workflow');
      },
      predictionForTask: async () => ({ p50Ms: 4_000, p90Ms: 8_000, model: 'm', modelVersion: '1', basedOn: 12 }),
    },
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    progress: { isTTY, columns: 120, write: (t) => void (out += t) },
  };
  return { d, out: () => out };
}

const detail = (over: Parameters<typeof makeTaskView>[0]): TaskDetail => ({ ...makeTaskView(over), attemptsDetail: [], events: [] });

describe('watchRun', () => {
  const id = '22222222-2222-4222-8222-222222222222';
  const queued = detail({ id, status: 'queued' });
  const running = detail({ id, status: 'running', startedAt: new Date(1_000).toISOString() });
  const done = detail({ id, status: 'succeeded', exitCode: 0 });

  it('on a terminal: redraws one line in place with the predicted ETA, ends it with a newline', async () => {
    const { d, out } = deps([queued, running, done], true);
    const r = await watchRun('task', id, d, { intervalMs: 1000 });
    expect(r.snapshot.succeeded).toBe(true);
    const frames = out().split('\r\x1b[K').filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[0]).toContain('0/1 done, 0 failed, 0 running, 1 queued | ETA 4s (predicted)');
    // started at 1 s, now 1 s → 4 s left of the p50
    expect(frames[1]).toContain('ETA 4s (predicted)');
    expect(frames[2]).toMatch(/1\/1 done.*\n$/);
    expect(out()).not.toMatch(/\n.*\r/);
  });

  it('without a terminal: a line per change, none while nothing changes', async () => {
    const { d, out } = deps([running, running, running, done], false);
    await watchRun('task', id, d, { intervalMs: 1000, plainEveryMs: 60_000 });
    const lines = out().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^task 22222222: succeeded, 1\/1 done/);
  });

  it('rides out a short outage and says so; gives up after reconnectForMs', async () => {
    const refused = new KairosClientError('UNREACHABLE', 'cannot reach http://x (ECONNREFUSED)', { method: 'GET', url: 'http://x/api/tasks/1' });
    const short = deps([running, refused, refused, done], false);
    expect((await watchRun('task', id, short.d, { intervalMs: 1000 })).snapshot.succeeded).toBe(true);
    expect(short.out()).toContain('lost contact with the server (cannot reach http://x (ECONNREFUSED)); retrying for up to 30s\ncontact with the server restored\n');
    const long = deps([running, refused], false);
    await expect(watchRun('task', id, long.d, { intervalMs: 1000, reconnectForMs: 5_000 })).rejects.toBe(refused);
  });

  it('does not ride out a 404', async () => {
    const missing = new KairosClientError('API_ERROR', 'task not found', { method: 'GET', url: 'u', status: 404, serverCode: 'TASK_NOT_FOUND' });
    const { d } = deps([missing], false);
    await expect(watchRun('task', id, d, { intervalMs: 1000 })).rejects.toBe(missing);
  });

  it('stops at once when interrupted', async () => {
    const ac = new AbortController();
    const { d } = deps([running], false);
    d.sleep = async () => ac.abort();
    await expect(watchRun('task', id, d, { intervalMs: 1000, signal: ac.signal })).rejects.toMatchObject({ code: 'INTERRUPTED' });
  });
});
