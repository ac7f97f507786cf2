import type { z } from 'zod';
import {
  DeadLetterSchema,
  DurationEstimatedSchema,
  MetricSampledSchema,
  ModelDriftDetectedSchema,
  NodeHeartbeatSchema,
  TaskAttemptLostSchema,
  TaskCompletedSchema,
  TaskQueuedSchema,
  TaskStartedSchema,
} from './events.schema';
import { QueuePolicyRequestedSchema, TaskCancelRequestedSchema, WorkflowCancelRequestedSchema } from './commands.schema';
import { RepairRequestedSchema } from './repair.schema';
import { MetricsBatchWireSchema } from './metrics-batch.schema';
import { TaskLifecycleSchema } from './task-lifecycle';

/** The one typed map from topic name to payload schema. Names: domain.entity.pastTense.vN. */
export const TOPIC_SCHEMAS = {
  'task.queued.v1': TaskQueuedSchema,
  'task.started.v1': TaskStartedSchema,
  'task.completed.v1': TaskCompletedSchema,
  'task.attempt.lost.v1': TaskAttemptLostSchema,
  'task.lifecycle.v1': TaskLifecycleSchema,
  'metrics.sampled.v1': MetricSampledSchema,
  /** Metric points from any producer; each point validated on its own by the collector (metrics-batch.schema.ts). */
  'metrics.batch.v1': MetricsBatchWireSchema,
  'prediction.duration.estimated.v1': DurationEstimatedSchema,
  'node.heartbeat.v1': NodeHeartbeatSchema,
  'repair.requested.v1': RepairRequestedSchema,
  'model.drift.detected.v1': ModelDriftDetectedSchema,
  'task.cancel.requested.v1': TaskCancelRequestedSchema,
  'workflow.cancel.requested.v1': WorkflowCancelRequestedSchema,
  'queue.policy.requested.v1': QueuePolicyRequestedSchema,
  'kairos.deadletter.v1': DeadLetterSchema,
} as const;

export type Topic = keyof typeof TOPIC_SCHEMAS;
export type TopicPayload<T extends Topic> = z.infer<(typeof TOPIC_SCHEMAS)[T]>;
export const TOPICS = Object.keys(TOPIC_SCHEMAS) as Topic[];
export const DEAD_LETTER_TOPIC = 'kairos.deadletter.v1' satisfies Topic;
/** Partitions per topic in the default deployment (and in the Kafka test broker). */
export const TOPIC_PARTITIONS = 6;
export const isTopic = (name: string): name is Topic => Object.prototype.hasOwnProperty.call(TOPIC_SCHEMAS, name);
