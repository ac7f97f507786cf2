import { DEAD_LETTER_TOPIC, encodeEnvelope, type Envelope, type Topic } from '@kairos/contracts';
import { Kafka, KafkaJSNonRetriableError, Partitioners, logLevel as KafkaLogLevel, type Consumer, type EachBatchPayload, type LogEntry, type Producer } from 'kafkajs';
import { deliver } from './dispatch';
import type { ConsumerState, ConsumerStatus, EventBus, EventHandler, SubscribeOptions } from './event-bus.port';

export type KafkaBusErrorCode = 'CLOSED' | 'DUPLICATE_SUBSCRIPTION' | 'BAD_CONFIG' | 'PRODUCER_ID_UNAVAILABLE';

export class KafkaBusError extends Error {
  constructor(
    readonly code: KafkaBusErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type BusLogLevel = 'error' | 'warn' | 'info' | 'debug';
export type BusLog = (level: BusLogLevel, message: string, fields: Record<string, unknown>) => void;

export interface KafkaConsumerTuning {
  /** Start a new group at the earliest offset, so nothing published before the group first joined is lost. Default true. */
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  /** Fetch long-poll wait; low keeps end-to-end latency down. */
  maxWaitTimeMs: number;
  /** Partitions handled in parallel per consumer; messages within a partition are always sequential. */
  partitionsConsumedConcurrently: number;
  /** Commit at least every this many handled messages within a batch (and at the end of each batch). */
  commitEveryMessages: number;
  /** …or at least this often while a long batch is being handled. */
  commitIntervalMs: number;
}

export interface KafkaBusConfig {
  brokers: string[];
  clientId: string;
  /** Client-wide reconnect/request retry (a broker that goes down is retried with these back-offs). */
  retry?: { initialRetryTime?: number; maxRetryTime?: number; retries?: number };
  /**
   * Idempotent producer (default true): the broker drops a retried batch it already has. kafkajs
   * asks the controller for a producer id, and the Kafka-protocol test broker names none, so tests
   * against it pass false (acks=all and one request in flight still keep each key's order).
   */
  idempotent?: boolean;
  /** Producer send retries; by default the producer retries without limit so a broker outage loses nothing. */
  producerRetries?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  consumer?: Partial<KafkaConsumerTuning>;
  /** Upper bound on messages in one produce request assembled from queued publishes. */
  maxBatchMessages?: number;
  /** Back-off before re-running a handler that failed retryably (attempt starts at 1). */
  retryDelayMs?: (attempt: number) => number;
  /**
   * Handler errors that mean a dependency is unavailable (e.g. the database is down; see DeliverOptions):
   * retried while they last, without spending an attempt and never dead-lettered.
   */
  unavailable?: (err: unknown) => boolean;
  /** Back-off between such retries (wait starts at 1); default 100 ms doubling to at most 2 s (below any session timeout). */
  waitDelayMs?: (wait: number) => number;
  /**
   * Back-off before replacing a consumer kafkajs gave up on (restart 1, 2, …): seconds, not a
   * minute. Default 1 s doubling to at most 8 s.
   */
  restartDelayMs?: (restart: number) => number;
  /** kafkajs' own logging; default 'warn'. */
  kafkaLogLevel?: 'nothing' | BusLogLevel;
  /** Sink for the bus's and kafkajs' logs; default console. */
  log?: BusLog;
  /** After each batch: how far the group is behind the partition's high watermark (for /metrics). */
  onConsumerLag?: (group: string, topic: string, partition: number, lag: number) => void;
}

const DEFAULT_CONSUMER: KafkaConsumerTuning = {
  fromBeginning: true,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 60_000,
  maxWaitTimeMs: 100,
  partitionsConsumedConcurrently: 6,
  commitEveryMessages: 200,
  commitIntervalMs: 500,
};

const KAFKA_LEVELS = { nothing: KafkaLogLevel.NOTHING, error: KafkaLogLevel.ERROR, warn: KafkaLogLevel.WARN, info: KafkaLogLevel.INFO, debug: KafkaLogLevel.DEBUG } as const;

const defaultLog: BusLog = (level, message, fields) => {
  const line = `[kafka-bus] ${level} ${message} ${JSON.stringify(fields)}`;
  if (level === 'error' || level === 'warn') console.warn(line);
  else if (level === 'info') console.info(line);
};

/** Parses `host:port,host:port` (e.g. KAFKA_BROKERS); throws naming the bad entry. */
export function parseBrokerList(value: string, source = 'KAFKA_BROKERS'): string[] {
  const brokers = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (brokers.length === 0) throw new KafkaBusError('BAD_CONFIG', `${source}: expected host:port[,host:port...], got '${value}'`);
  for (const b of brokers) {
    const m = /^(.+):(\d{1,5})$/.exec(b);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new KafkaBusError('BAD_CONFIG', `${source}: '${b}' is not host:port (port 1..65535)`);
  }
  return brokers;
}

interface Registration {
  maxAttempts: number;
  /** Messages of one partition handled at once (1: in order). */
  inFlight: number;
  handler: EventHandler<Topic>;
}

interface Group {
  id: string;
  /** topic → handler; one kafkajs consumer per group covers all its topics. */
  topics: Map<string, Registration>;
  consumer: Consumer | null;
  assignment: Record<string, number[]>;
  state: ConsumerState;
  since: string;
  crashes: number;
  /** Consecutive restarts without a successful join (drives the back-off). */
  restarts: number;
  lastError: string | null;
  /** Fault injection: the next batch makes kafkajs crash this consumer. */
  crashNext: boolean;
  /** Epoch ms of the last join, heartbeat or fetch (0: none yet). */
  lastContactMs: number;
}

interface Queued {
  topic: string;
  key: string | null;
  value: Buffer;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * An idempotent producer first asks the cluster's transaction coordinator for a producer id. A cluster
 * that cannot issue one (librdkafka's mock test broker) answers in a way kafkajs reports as
 * "Broker N not found in the cached metadata", which names nothing the user can change.
 */
export function explainProducerFailure(err: unknown, idempotent: boolean): unknown {
  if (!idempotent || !(err instanceof Error) || !/not found in the cached metadata|producer ?id/i.test(err.message)) return err;
  return new KafkaBusError(
    'PRODUCER_ID_UNAVAILABLE',
    `Kafka producer could not start: ${err.message}. The idempotent producer (KAFKA_IDEMPOTENT=true, the default) needs a producer id from the cluster; the Kafka test broker (librdkafka's mock cluster) cannot issue one: set KAFKA_IDEMPOTENT=false there`,
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The distributed mode's bus over Kafka (kafkajs). Same semantics as InProcessEventBus: validation at
 * the edge via the shared `deliver`, per-key order (key → partition, one partition handled
 * sequentially, unless a subscription opts out with `inFlightPerPartition`), one delivery per consumer
 * group, retries in place, dead letters.
 *
 * Offsets are committed manually and only for messages whose handler resolved or that were
 * dead-lettered, so a crash redelivers (at-least-once; handlers dedupe on eventId). Subscriptions
 * made before start() begin consuming at start(); a later subscribe() restarts that group's consumer.
 * Publishes are queued and flushed as one produce request per tick, one request in flight at a
 * time, so concurrent publishes batch without reordering a key's events.
 */
export class KafkaEventBus implements EventBus {
  readonly kind = 'kafka';
  private readonly kafka: Kafka;
  private readonly tuning: KafkaConsumerTuning;
  private readonly log: BusLog;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly waitDelayMs: (wait: number) => number;
  private readonly restartDelayMs: (restart: number) => number;
  private readonly maxBatchMessages: number;
  private readonly groups = new Map<string, Group>();
  private producer: Producer | null = null;
  private producerReady: Promise<Producer> | null = null;
  private queue: Queued[] = [];
  private flushing: Promise<void> | null = null;
  private started = false;
  private closed = false;

  constructor(private readonly config: KafkaBusConfig) {
    if (config.brokers.length === 0) throw new KafkaBusError('BAD_CONFIG', 'brokers: at least one host:port is required');
    if (!config.clientId) throw new KafkaBusError('BAD_CONFIG', 'clientId: must not be empty');
    this.tuning = { ...DEFAULT_CONSUMER, ...config.consumer };
    this.log = config.log ?? defaultLog;
    this.retryDelayMs = config.retryDelayMs ?? ((attempt) => Math.min(1000, 10 * 2 ** attempt));
    this.waitDelayMs = config.waitDelayMs ?? ((wait) => Math.min(2_000, 100 * 2 ** Math.max(0, wait - 1)));
    this.restartDelayMs = config.restartDelayMs ?? ((restart) => Math.min(8_000, 1_000 * 2 ** Math.max(0, restart - 1)));
    this.maxBatchMessages = config.maxBatchMessages ?? 10_000;
    const log = this.log;
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      connectionTimeout: config.connectionTimeoutMs ?? 3_000,
      requestTimeout: config.requestTimeoutMs ?? 30_000,
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 10, ...config.retry },
      logLevel: KAFKA_LEVELS[config.kafkaLogLevel ?? 'warn'],
      logCreator: () => (entry: LogEntry) => {
        const level: BusLogLevel = entry.level === KafkaLogLevel.ERROR ? 'error' : entry.level === KafkaLogLevel.WARN ? 'warn' : entry.level === KafkaLogLevel.INFO ? 'info' : 'debug';
        const { message, ...fields } = entry.log;
        log(level, `kafkajs ${entry.namespace}: ${message}`, fields);
      },
    });
  }

  async start(): Promise<void> {
    if (this.closed) throw new KafkaBusError('CLOSED', 'bus is closed');
    await this.ensureProducer();
    this.started = true;
    await Promise.all([...this.groups.values()].filter((g) => !g.consumer).map((g) => this.runGroup(g)));
  }

  async publish<T extends Topic>(event: Envelope<T>): Promise<void> {
    await this.publishRaw(event.topic, event.key, encodeEnvelope(event));
  }

  async publishBatch(events: Envelope[]): Promise<void> {
    await Promise.all(events.map((e) => this.enqueue(e.topic, e.key, encodeEnvelope(e))));
  }

  async publishRaw(topic: string, key: string | null, bytes: Buffer): Promise<void> {
    await this.enqueue(topic, key, bytes);
  }

  async subscribe<T extends Topic>(topic: T, options: SubscribeOptions, handler: EventHandler<T>): Promise<void> {
    if (this.closed) throw new KafkaBusError('CLOSED', 'bus is closed');
    let group = this.groups.get(options.group);
    if (!group) {
      group = { id: options.group, topics: new Map(), consumer: null, assignment: {}, state: 'idle', since: new Date().toISOString(), crashes: 0, restarts: 0, lastError: null, crashNext: false, lastContactMs: 0 };
      this.groups.set(options.group, group);
    }
    if (group.topics.has(topic)) throw new KafkaBusError('DUPLICATE_SUBSCRIPTION', `group ${options.group} already subscribes to ${topic} on this bus`);
    const inFlight = options.inFlightPerPartition ?? 1;
    if (!Number.isInteger(inFlight) || inFlight < 1) throw new KafkaBusError('BAD_CONFIG', `inFlightPerPartition: a positive integer, got ${inFlight}`);
    group.topics.set(topic, { maxAttempts: options.maxAttempts ?? 5, inFlight, handler: handler as unknown as EventHandler<Topic> });
    if (!this.started) return;
    // A running kafkajs consumer cannot add topics; rejoin with the larger subscription.
    if (group.consumer) await this.stopGroup(group);
    await this.runGroup(group);
  }

  consumerStates(): ConsumerStatus[] {
    return [...this.groups.values()].map((g) => ({ group: g.id, topics: [...g.topics.keys()], state: g.state, crashes: g.crashes, lastError: g.lastError, since: g.since, lastContactAt: g.lastContactMs ? new Date(g.lastContactMs).toISOString() : null }));
  }

  crashConsumer(group: string): boolean {
    const g = this.groups.get(group);
    if (!g || !g.consumer || this.closed) return false;
    g.crashNext = true;
    return true;
  }

  /** Partitions each group's consumer currently owns (topic → partitions), from the last group join. */
  assignments(): Record<string, Record<string, number[]>> {
    return Object.fromEntries([...this.groups.values()].map((g) => [g.id, g.assignment]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Consumers first: they may still dead-letter through the producer while finishing a batch.
    await Promise.all([...this.groups.values()].map((g) => this.stopGroup(g)));
    while (this.flushing) await this.flushing;
    for (const q of this.queue.splice(0)) q.reject(new KafkaBusError('CLOSED', 'bus closed before the message was sent'));
    if (this.producer) await this.producer.disconnect();
    this.producer = null;
  }

  private ensureProducer(): Promise<Producer> {
    this.producerReady ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: this.config.idempotent ?? true,
        createPartitioner: Partitioners.DefaultPartitioner,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry: { retries: this.config.producerRetries ?? Number.MAX_SAFE_INTEGER },
      });
      try {
        await producer.connect();
      } catch (e) {
        this.producerReady = null; // let the next publish try again
        throw explainProducerFailure(e, this.config.idempotent ?? true);
      }
      this.producer = producer;
      return producer;
    })();
    return this.producerReady;
  }

  /** `internal` lets consumers that are finishing a batch during close() still dead-letter. */
  private enqueue(topic: string, key: string | null, value: Buffer, internal = false): Promise<void> {
    if (this.closed && !(internal && this.producerReady)) return Promise.reject(new KafkaBusError('CLOSED', 'bus is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, key, value, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  /** Drains the queue one produce request at a time; publishes arriving meanwhile join the next request. */
  private async flushLoop(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // let this tick's publishes join the first request
    try {
      while (this.queue.length) {
        const chunk = this.queue.splice(0, this.maxBatchMessages);
        const byTopic = new Map<string, Array<{ key: string | null; value: Buffer }>>();
        for (const q of chunk) {
          const list = byTopic.get(q.topic) ?? [];
          list.push({ key: q.key, value: q.value });
          byTopic.set(q.topic, list);
        }
        try {
          const producer = await this.ensureProducer();
          await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          for (const q of chunk) q.resolve();
        } catch (e) {
          for (const q of chunk) q.reject(e as Error);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  private async runGroup(group: Group): Promise<void> {
    const t = this.tuning;
    const consumer = this.kafka.consumer({
      groupId: group.id,
      sessionTimeout: t.sessionTimeoutMs,
      heartbeatInterval: t.heartbeatIntervalMs,
      rebalanceTimeout: t.rebalanceTimeoutMs,
      maxWaitTimeInMs: t.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      // Never give up on a group because a broker was away: restart unless we are closing.
      retry: { restartOnFailure: async () => !this.closed },
    });
    group.consumer = consumer;
    if (group.state !== 'restarting') this.setState(group, 'joining');
    const contact = () => {
      if (group.consumer === consumer) group.lastContactMs = Date.now();
    };
    consumer.on(consumer.events.HEARTBEAT, contact);
    consumer.on(consumer.events.FETCH, contact);
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      if (group.consumer !== consumer) return;
      group.lastContactMs = Date.now();
      group.assignment = e.payload.memberAssignment;
      group.restarts = 0;
      this.setState(group, 'running');
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (group.consumer !== consumer) return;
      group.crashes++;
      group.lastError = e.payload.error.message;
      this.setState(group, 'crashed');
      this.log('error', 'consumer crashed', { group: group.id, error: e.payload.error.message, restart: e.payload.restart });
      // kafkajs restarts only after retriable errors; a non-retriable one (e.g. a broker answering a
      // SyncGroup during a rebalance storm with an error kafkajs does not classify) would leave the
      // group without a consumer for good. Replace the consumer instead, with back-off, unless we are
      // closing. (After a retriable one kafkajs restarts it itself; GROUP_JOIN marks it running again.)
      if (!e.payload.restart && !this.closed) this.replaceConsumer(group, consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...group.topics.keys()], fromBeginning: t.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: t.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(group, payload),
    });
  }

  /**
   * Replaces a consumer kafkajs will not restart, after `restartDelayMs(n)` (n = consecutive restarts
   * without a successful join). The crashed consumer is disconnected first (kafkajs leaves the group
   * when it crashed while consuming), so the replacement's join does not wait for the old member's
   * session to expire. Messages it had not committed are redelivered to whoever owns their partitions.
   */
  private replaceConsumer(group: Group, crashed: Consumer): void {
    group.restarts++;
    const delayMs = this.restartDelayMs(group.restarts);
    setTimeout(() => {
      if (this.closed || group.consumer !== crashed) return; // closed, or already replaced/re-subscribed
      this.setState(group, 'restarting');
      this.stopGroup(group, 'restarting')
        .then(() => (this.closed ? undefined : this.runGroup(group)))
        .then(() => this.log('warn', 'consumer replaced after a crash', { group: group.id, restart: group.restarts, delayMs }))
        .catch((err: Error) => {
          this.log('error', 'replacing a crashed consumer failed; retrying', { group: group.id, error: err.message });
          group.lastError = err.message;
          if (group.consumer && !this.closed) this.replaceConsumer(group, group.consumer);
        });
    }, delayMs).unref();
  }

  private setState(group: Group, state: ConsumerState): void {
    if (group.state === state) return;
    group.state = state;
    group.since = new Date().toISOString();
  }

  private async stopGroup(group: Group, next: ConsumerState = 'stopped'): Promise<void> {
    const consumer = group.consumer;
    group.consumer = null;
    group.assignment = {};
    this.setState(group, next);
    if (consumer) await consumer.disconnect().catch((e: Error) => this.log('warn', 'consumer disconnect failed', { group: group.id, error: e.message })); // waits for running batches, which commit what they handled
  }

  private async handleBatch(group: Group, { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const reg = group.topics.get(batch.topic);
    const { topic, partition } = batch;
    let lastDone: string | null = null;
    let sinceCommit = 0;
    let lastCommitAt = Date.now();
    const commit = async (): Promise<void> => {
      if (lastDone === null || sinceCommit === 0) return;
      const offset = (BigInt(lastDone) + 1n).toString();
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
      sinceCommit = 0;
      lastCommitAt = Date.now();
    };
    const done = (offset: string): void => {
      resolveOffset(offset);
      lastDone = offset;
      sinceCommit++;
    };
    if (group.crashNext) {
      // Fault injection: a non-retriable client-level error, which kafkajs answers by crashing the
      // consumer (restart: false). Nothing in this batch is resolved, so nothing is lost.
      group.crashNext = false;
      throw new KafkaJSNonRetriableError(`injected consumer crash (fault injection) in group ${group.id}`);
    }
    try {
      if (reg && reg.inFlight > 1) {
        await this.handlePipelined(group, reg, batch, heartbeat, isRunning, isStale, async (offset) => {
          done(offset);
          if (sinceCommit >= this.tuning.commitEveryMessages || Date.now() - lastCommitAt >= this.tuning.commitIntervalMs) await commit();
        });
        return;
      }
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break; // unresolved messages are fetched again by whoever owns the partition
        if (!reg) {
          // Assigned a topic this bus no longer handles (shouldn't happen); skip without losing the offset.
          this.log('warn', 'message for a topic without a handler', { group: group.id, topic });
          done(message.offset);
          continue;
        }
        const handled = await this.handleMessage(group, reg, topic as Topic, message.value, heartbeat, isRunning);
        if (!handled) break;
        done(message.offset);
        if (sinceCommit >= this.tuning.commitEveryMessages || Date.now() - lastCommitAt >= this.tuning.commitIntervalMs) await commit();
      }
    } finally {
      // Commit what was handled even when a heartbeat revealed a rebalance, so the next owner does not redo it.
      await commit().catch((e: Error) => this.log('warn', 'offset commit failed; the messages will be redelivered', { group: group.id, topic, partition, error: e.message }));
      if (this.config.onConsumerLag) {
        const next = lastDone !== null ? BigInt(lastDone) + 1n : BigInt(batch.firstOffset() ?? batch.highWatermark);
        this.config.onConsumerLag(group.id, topic, partition, Math.max(0, Number(BigInt(batch.highWatermark) - next)));
      }
    }
  }

  /**
   * Up to `reg.inFlight` messages of the partition's batch at once. Offsets are resolved strictly in
   * order: a message's offset only once it and every message before it were handled, so a commit never
   * covers a message still in flight. When one stops (the consumer stopping) or throws, no later offset
   * is resolved; the others in flight are awaited before returning, and the first error is rethrown.
   */
  private async handlePipelined(
    group: Group,
    reg: Registration,
    batch: EachBatchPayload['batch'],
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
    isStale: () => boolean,
    resolved: (offset: string) => Promise<void>,
  ): Promise<void> {
    type Slot = { offset: string; outcome: Promise<{ ok: boolean; err?: unknown }> };
    const window: Slot[] = [];
    let failed: { err?: unknown } | null = null;
    /** Takes the oldest slot; resolves its offset when handled, else stops resolving. */
    const settleOldest = async (): Promise<void> => {
      const slot = window.shift()!;
      const r = await slot.outcome;
      if (failed) return;
      if (r.ok) await resolved(slot.offset);
      else failed = { err: r.err };
    };
    try {
      for (const message of batch.messages) {
        if (failed || !isRunning() || isStale()) break;
        const outcome = this.handleMessage(group, reg, batch.topic as Topic, message.value, heartbeat, isRunning).then(
          (ok) => ({ ok }),
          (err: unknown) => ({ ok: false, err: err ?? new Error('handler failed') }),
        );
        window.push({ offset: message.offset, outcome });
        while (window.length >= reg.inFlight && !failed) await settleOldest();
      }
      while (window.length && !failed) await settleOldest();
    } finally {
      await Promise.all(window.map((w) => w.outcome)); // nothing keeps running after the batch returns
    }
    const f = failed as { err?: unknown } | null;
    if (f?.err !== undefined) throw f.err;
  }

  /** Runs one message to a final outcome; false when the consumer stopped while it was retrying. */
  private async handleMessage(
    group: Group,
    reg: Registration,
    topic: Topic,
    value: Buffer | null,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<boolean> {
    let waits = 0;
    for (let attempt = 1; ; ) {
      const outcome = await deliver(topic, value, reg.handler, group.id, attempt, reg.maxAttempts, { unavailable: this.config.unavailable });
      if (outcome.kind === 'handled') {
        if (waits) this.log('info', 'dependency available again; message handled', { group: group.id, topic, waits });
        return true;
      }
      if (outcome.kind === 'dead-letter') {
        if (topic === DEAD_LETTER_TOPIC) {
          // A failing dead-letter handler must not feed the dead-letter topic with itself.
          this.log('error', 'dead-letter handler failed; message dropped', { group: group.id, reason: outcome.envelope.payload.reason });
          return true;
        }
        this.log('warn', 'message dead-lettered', { group: group.id, topic, reason: outcome.envelope.payload.reason });
        const dl = outcome.envelope;
        await this.enqueue(dl.topic, dl.key, encodeEnvelope(dl), true); // durable before the offset moves on
        return true;
      }
      if (outcome.kind === 'wait') {
        // The partition waits here (nothing after this message is handled or committed) until the dependency is back.
        if (++waits === 1) this.log('warn', 'handler waiting for an unavailable dependency; retrying, not dead-lettering', { group: group.id, topic, reason: outcome.reason });
        await sleep(this.waitDelayMs(waits));
      } else {
        this.log('debug', 'retrying message', { group: group.id, topic, reason: outcome.reason });
        await sleep(this.retryDelayMs(attempt));
        attempt++;
      }
      if (!isRunning()) return false;
      await heartbeat();
    }
  }
}
