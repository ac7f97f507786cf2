import { makeEnvelope, type Envelope } from '@kairos/contracts';
import { InProcessEventBus } from './in-process.bus';
import { HandlerError } from './event-bus.port';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const started = (n: number, attempt = 1) =>
  makeEnvelope('task.started.v1', id(n), { taskId: id(n), attempt, nodeId: 'n1', startedAt: new Date(0).toISOString() });

describe('InProcessEventBus', () => {
  it('keeps per-key order and delivers once per group', async () => {
    const bus = new InProcessEventBus();
    const seen: string[] = [];
    const other: string[] = [];
    await bus.subscribe('task.started.v1', { group: 'a' }, async (e) => {
      await new Promise((r) => setTimeout(r, e.payload.attempt === 1 ? 5 : 0));
      seen.push(`${e.key}:${e.payload.attempt}`);
    });
    await bus.subscribe('task.started.v1', { group: 'a' }, async () => {
      throw new Error('second replica of group a must not receive');
    });
    await bus.subscribe('task.started.v1', { group: 'b' }, async (e) => void other.push(e.eventId));
    await bus.publish(started(1, 1));
    await bus.publish(started(1, 2));
    await bus.drain();
    expect(seen).toEqual([`${id(1)}:1`, `${id(1)}:2`]);
    expect(other).toHaveLength(2);
  });

  it('dead-letters malformed bytes and non-retryable failures, and keeps consuming', async () => {
    const bus = new InProcessEventBus();
    const dead: Envelope<'kairos.deadletter.v1'>[] = [];
    const ok: number[] = [];
    await bus.subscribe('kairos.deadletter.v1', { group: 'dlq' }, async (e) => void dead.push(e));
    await bus.subscribe('task.started.v1', { group: 'g' }, async (e) => {
      if (e.payload.attempt === 3) throw new HandlerError('bad attempt', false);
      ok.push(e.payload.attempt);
    });
    await bus.publishRaw('task.started.v1', 'k', Buffer.from('not json'));
    await bus.publish(started(2, 3));
    await bus.publish(started(2, 4));
    await bus.drain();
    expect(ok).toEqual([4]);
    expect(dead.map((d) => d.payload.reason)).toEqual([expect.stringContaining('not JSON'), expect.stringContaining('bad attempt')]);
    expect(Buffer.from(dead[0].payload.original, 'base64').toString()).toBe('not json');
  });

  it('retries retryable failures', async () => {
    const bus = new InProcessEventBus();
    let calls = 0;
    await bus.subscribe('task.started.v1', { group: 'g', maxAttempts: 3 }, async () => {
      if (++calls < 3) throw new Error('transient');
    });
    await bus.publish(started(3));
    await bus.drain();
    expect(calls).toBe(3);
  });
});
