/**
 * The extras every Kairos `@EventPattern(topic, { group })` carries. `group` is the consumer group:
 * replicas with the same group share the topic's partitions, and every group gets every message.
 * Handlers in one process with different groups therefore each get every message (standalone mode
 * composes the four apps this way).
 */
export interface ConsumerOptions {
  group: string;
  /** Attempts for a retryable failure before the message is dead-lettered (default 5). */
  maxAttempts?: number;
  /** Messages of one partition handled at once (default 1, in order); see SubscribeOptions.inFlightPerPartition. */
  inFlightPerPartition?: number;
}
