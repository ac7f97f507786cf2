import { cliHarness, jsonReply, type FakeRequest } from '../../test/cli-harness';

const ID = '22222222-2222-4222-8222-222222222222';
const view = (over: Record<string, unknown> = {}) => ({
  id: ID,
  name: 'reconcile',
  paused: false,
  trigger: { kind: 'cron', expression: '*/5 * * * * *', timezone: 'Europe/Berlin' },
  concurrency: 'forbid',
  shards: 4,
  state: { decidedThrough: '2025-01-01T00:00:00.000Z', breaker: { status: 'open' } },
  nextTickAt: '2025-01-01T00:00:05.000Z',
  deletedAt: null,
  ...over,
});
const GOOD = ['name: reconcile', 'template: { kind: task, task: { run: { kind: noop } } }', "trigger: { kind: cron, expression: '*/5 * * * * *', timezone: Europe/Berlin }", 'concurrency: forbid', 'shards: 4', ''].join('\n');

describe('kairos schedules', () => {
  const routes = (req: FakeRequest) => {
    if (req.method === 'POST' && req.path === '/api/schedules') return jsonReply(201, view());
    if (req.method === 'GET' && req.path === '/api/schedules') return jsonReply(200, [view()]);
    if (req.method === 'POST' && req.path === `/api/schedules/${ID}/pause`) return jsonReply(200, view({ paused: true }));
    if (req.method === 'POST' && req.path === `/api/schedules/${ID}/trigger`) return jsonReply(201, { tickAt: '2025-01-01T00:00:01.000Z', tasks: [{ id: 't1' }, { id: 't2' }] });
    if (req.method === 'GET' && req.path === `/api/schedules/${ID}/ticks`)
      return jsonReply(200, [{ tickAt: '2025-01-01T00:00:00.000Z', shard: 0, outcome: 'skipped', skipReason: 'circuit_open', taskId: null, taskStatus: null, delayMs: null, catchUp: false, trial: false }]);
    return undefined;
  };

  it('create sends the file checked against the schedule schema', async () => {
    const h = cliHarness(routes, { files: { 's.yaml': GOOD } });
    expect(await h.run('schedules', 'create', 's.yaml')).toBe(0);
    expect(h.requests[0]?.body).toMatchObject({ name: 'reconcile', concurrency: 'forbid', shards: 4 });
    expect(h.out()).toMatch(/reconcile {2}cron \*\/5 \* \* \* \* \* Europe\/Berlin {2}active {2}breaker open/);
  });

  it('a bad cron expression in the file is exit 2 naming the field, before any request', async () => {
    const h = cliHarness(routes, { files: { 's.yaml': GOOD.replace("'*/5 * * * * *'", "'61 * * * * *'") } });
    expect(await h.run('schedules', 'create', 's.yaml')).toBe(2);
    expect(h.err()).toMatch(/s\.yaml: invalid schedule: trigger\.expression/);
    expect(h.requests).toHaveLength(0);
  });

  it('ls, pause, trigger and ticks call their routes', async () => {
    const h = cliHarness(routes);
    expect(await h.run('schedules', 'ls')).toBe(0);
    expect(h.out()).toMatch(/ID +NAME +TRIGGER/);
    expect(await h.run('schedules', 'pause', ID)).toBe(0);
    expect(h.out()).toMatch(/paused/);
    expect(await h.run('schedules', 'trigger', ID)).toBe(0);
    expect(h.out()).toMatch(/t1 t2/);
    expect(await h.run('schedules', 'ticks', ID)).toBe(0);
    expect(h.out()).toMatch(/skipped .*circuit_open/);
    expect(h.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/schedules', `POST /api/schedules/${ID}/pause`, `POST /api/schedules/${ID}/trigger`, `GET /api/schedules/${ID}/ticks`]);
  });
});
