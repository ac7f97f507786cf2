import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TaskAttemptLostSchema, TaskCompletedSchema, TaskQueuedSchema, TaskStartedSchema } from './events.schema';
import type { Envelope } from './envelope';

/**
 * task.lifecycle.v1: every task event once more, on one topic keyed by task id, so a consumer that
 * needs a task's events in order reads them from one partition in the order they happened. The outbox
 * relay publishes the copy next to the original (same batch), and publishes a task's events only after
 * its earlier ones (any producer) are out, so the partition holds them in causal order.
 */
export const TASK_LIFECYCLE_SOURCES = ['task.queued.v1', 'task.started.v1', 'task.attempt.lost.v1', 'task.completed.v1'] as const;
export type TaskLifecycleSource = (typeof TASK_LIFECYCLE_SOURCES)[number];

const entry = <T extends TaskLifecycleSource, S extends z.ZodTypeAny>(type: T, event: S) =>
  z.object({ type: z.literal(type), sourceEventId: z.string().uuid(), event });

export const TaskLifecycleSchema = z.discriminatedUnion('type', [
  entry('task.queued.v1', TaskQueuedSchema),
  entry('task.started.v1', TaskStartedSchema),
  entry('task.attempt.lost.v1', TaskAttemptLostSchema),
  entry('task.completed.v1', TaskCompletedSchema),
]);
export type TaskLifecycle = z.infer<typeof TaskLifecycleSchema>;

export const isTaskLifecycleSource = (topic: string): topic is TaskLifecycleSource => (TASK_LIFECYCLE_SOURCES as readonly string[]).includes(topic);

/** A UUID fixed by the source event's id, so a re-published copy is the same event (idempotent consumers). */
export function lifecycleEventId(sourceEventId: string): string {
  const h = createHash('sha1').update(`task.lifecycle.v1:${sourceEventId}`).digest('hex');
  // RFC 4122 layout, version 5 (name-based, SHA-1), variant 10.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** The task.lifecycle.v1 copy of a task event; null for any other topic. */
export function lifecycleCopyOf(e: Envelope): Envelope<'task.lifecycle.v1'> | null {
  if (!isTaskLifecycleSource(e.topic)) return null;
  return {
    eventId: lifecycleEventId(e.eventId),
    topic: 'task.lifecycle.v1',
    occurredAt: e.occurredAt,
    traceId: e.traceId,
    key: e.key,
    payload: { type: e.topic, sourceEventId: e.eventId, event: e.payload } as TaskLifecycle,
  };
}
