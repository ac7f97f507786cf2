import type { Envelope, Topic } from '@kairos/contracts';

export const EVENT_BUS = Symbol('EVENT_BUS');

/**
 * A handler's verdict on an error: retryable errors are redelivered (the offset is not committed);
 * anything else sends the message to the dead-letter topic with the reason, and the consumer goes on.
 */
export class HandlerError extends Error {
  readonly code = 'HANDLER_ERROR' as const;
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export type EventHandler<T extends Topic> = (event: Envelope<T>) => Promise<void>;

export interface SubscribeOptions {
  /** Replicas with the same group share the topic's partitions (Kafka consumer group). */
  group: string;
  /** Attempts for a retryable failure before the message is dead-lettered. */
  maxAttempts?: number;
  /**
   * Messages of one partition handled at once (default 1: one after another, in order). Above 1 only
   * for an idempotent handler that does not depend on the order of a key's messages (metrics.batch.v1):
   * offsets are still committed only up to the oldest message not yet handled, so a crash redelivers
   * whatever was in flight. The Kafka adapter honours it; the in-process bus always handles in order.
   */
  inFlightPerPartition?: number;
}

/**
 * Where a consumer group stands. `crashed`: the client gave up on it and nothing consumes for the group
 * in this process until its replacement starts; `restarting`: a replacement is joining the group.
 */
export type ConsumerState = 'idle' | 'joining' | 'running' | 'crashed' | 'restarting' | 'stopped';

export interface ConsumerStatus {
  group: string;
  topics: string[];
  state: ConsumerState;
  /** Crashes since start (each one replaced with back-off). */
  crashes: number;
  lastError: string | null;
  /** When the group entered its current state (ISO). */
  since: string;
  /**
   * Last sign that the group's consumer reaches Kafka: a join, a heartbeat to the group coordinator or
   * a completed fetch (ISO); null before the first, absent on buses without a broker (in-process).
   */
  lastContactAt?: string | null;
}

/**
 * Down for /health: crashed, or a replacement still joining after `joinGraceMs` (a join may take up to
 * the rebalance timeout while the other members rejoin; longer than that, it is stuck).
 */
export function isConsumerDown(s: ConsumerStatus, nowMs: number = Date.now(), joinGraceMs = Number.POSITIVE_INFINITY): boolean {
  if (s.state === 'crashed') return true;
  return s.state === 'restarting' && nowMs - Date.parse(s.since) > joinGraceMs;
}

export interface EventBus {
  /** 'kafka' or 'in-process', for /health. */
  readonly kind: string;
  publish<T extends Topic>(event: Envelope<T>): Promise<void>;
  publishBatch(events: Envelope[]): Promise<void>;
  subscribe<T extends Topic>(topic: T, options: SubscribeOptions, handler: EventHandler<T>): Promise<void>;
  /** Raw bytes, for tests and tools that must send what a broken producer would. */
  publishRaw(topic: string, key: string | null, bytes: Buffer): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** One entry per consumer group this bus runs. */
  consumerStates(): ConsumerStatus[];
  /**
   * Fault injection for tests (KAIROS_FAULT_INJECTION): makes the group's consumer crash the way a
   * client-level failure would; false when this bus has no such group.
   */
  crashConsumer(group: string): boolean;
}
