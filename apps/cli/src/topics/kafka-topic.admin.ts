import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { TopicAdmin, TopicAdminConfig, TopicSpec } from './topic-admin.port';

/** kafkajs admin client behind the TopicAdmin port. Connects lazily, on the first call. */
export class KafkaTopicAdmin implements TopicAdmin {
  private readonly admin: Admin;
  private connected: Promise<void> | null = null;

  constructor(private readonly config: TopicAdminConfig) {
    const kafka = new Kafka({
      clientId: `${config.clientId}-cli`,
      brokers: config.brokers,
      connectionTimeout: Math.min(config.timeoutMs, 10_000),
      requestTimeout: config.timeoutMs,
      retry: { retries: 2, initialRetryTime: 300 },
      // Failures reach the user once, as the command's error; kafkajs' own log lines would repeat them.
      logLevel: logLevel.NOTHING,
    });
    this.admin = kafka.admin();
  }

  private connect(): Promise<void> {
    this.connected ??= this.admin.connect();
    return this.connected;
  }

  async describe(): Promise<Map<string, number>> {
    await this.connect();
    const names = (await this.admin.listTopics()).filter((t) => !t.startsWith('__'));
    if (!names.length) return new Map();
    const meta = await this.admin.fetchTopicMetadata({ topics: names });
    return new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
  }

  async create(topics: readonly TopicSpec[]): Promise<void> {
    await this.connect();
    await this.admin.createTopics({
      topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: t.replicationFactor })),
      waitForLeaders: true,
      timeout: this.config.timeoutMs,
    });
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
  }
}
