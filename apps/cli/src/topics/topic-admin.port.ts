export interface TopicAdminConfig {
  brokers: string[];
  clientId: string;
  /** Per request; kafkajs connection timeouts and retries are kept short so a wrong address fails fast. */
  timeoutMs: number;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** -1: the broker's default.replication.factor. */
  replicationFactor: number;
}

/** The few Kafka admin calls `kairos topics create` needs (kafkajs in kafka-topic.admin.ts). */
export interface TopicAdmin {
  /** Existing topics with their partition counts. */
  describe(): Promise<Map<string, number>>;
  create(topics: readonly TopicSpec[]): Promise<void>;
  close(): Promise<void>;
}
