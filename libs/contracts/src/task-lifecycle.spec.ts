import { makeEnvelope } from './envelope';
import { decodeEnvelope, encodeEnvelope } from './envelope';
import { lifecycleCopyOf, lifecycleEventId } from './task-lifecycle';

describe('task.lifecycle.v1 copies', () => {
  const started = makeEnvelope('task.started.v1', '6f1c0d1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f', { taskId: '6f1c0d1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f', attempt: 2, nodeId: 'n1', startedAt: '2026-11-30T01:00:00.000Z' });

  it('copies a task event onto the lifecycle topic with the same key and a valid payload', () => {
    const copy = lifecycleCopyOf(started)!;
    expect(copy).toMatchObject({ topic: 'task.lifecycle.v1', key: started.key, occurredAt: started.occurredAt, traceId: started.traceId });
    expect(copy.payload).toEqual({ type: 'task.started.v1', sourceEventId: started.eventId, event: started.payload });
    // It passes the topic's own schema (what every consumer validates).
    expect(decodeEnvelope('task.lifecycle.v1', encodeEnvelope(copy)).payload).toEqual(copy.payload);
  });

  it('has a stable id of its own (a re-published copy is the same event), a valid UUID', () => {
    expect(lifecycleCopyOf(started)!.eventId).toBe(lifecycleEventId(started.eventId));
    expect(lifecycleEventId(started.eventId)).not.toBe(started.eventId);
    expect(lifecycleEventId(started.eventId)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('copies only task lifecycle topics', () => {
    expect(lifecycleCopyOf(makeEnvelope('node.heartbeat.v1', 'n1', { nodeId: 'n1', executorId: 'e', cpuMillis: 1, memMb: 1, running: 0, at: '2026-11-30T01:00:00.000Z' }))).toBeNull();
  });
});
