import { encodeEnvelope, type Envelope, type Topic } from '@kairos/contracts';
import { deliver } from './dispatch';
import type { ConsumerState, ConsumerStatus, EventBus, EventHandler, SubscribeOptions } from './event-bus.port';

interface Subscription {
  group: string;
  maxAttempts: number;
  handler: EventHandler<Topic>;
  /** Per-key chains keep one task's events in order, like a Kafka partition. */
  chains: Map<string, Promise<void>>;
}

interface GroupState {
  state: ConsumerState;
  topics: Set<string>;
  crashes: number;
  lastError: string | null;
  since: string;
  /** While crashed: resolves when the group consumes again (messages wait, none is lost). */
  resumed: Promise<void> | null;
}

/**
 * Standalone mode's bus: same semantics as the Kafka adapter (validation at the edge, per-key order,
 * one delivery per group, retries, dead letters) inside one process. Messages are encoded to bytes and
 * decoded again so a consumer sees exactly what it would see from Kafka.
 */
export class InProcessEventBus implements EventBus {
  readonly kind = 'in-process';
  private readonly subs = new Map<string, Subscription[]>();
  private readonly groups = new Map<string, GroupState>();
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  /** `restartDelayMs`: how long an injected crash keeps a group down. */
  constructor(private readonly restartDelayMs = 1_000) {}

  async start(): Promise<void> {
    for (const g of this.groups.values()) if (g.state === 'idle') this.setState(g, 'running');
  }

  async publish<T extends Topic>(event: Envelope<T>): Promise<void> {
    await this.publishRaw(event.topic, event.key, encodeEnvelope(event));
  }

  async publishBatch(events: Envelope[]): Promise<void> {
    for (const e of events) await this.publish(e);
  }

  async publishRaw(topic: string, key: string | null, bytes: Buffer): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const groups = new Map<string, Subscription>();
    for (const s of this.subs.get(topic) ?? []) if (!groups.has(s.group)) groups.set(s.group, s);
    for (const sub of groups.values()) this.enqueue(topic as Topic, key ?? '', bytes, sub);
  }

  async subscribe<T extends Topic>(topic: T, options: SubscribeOptions, handler: EventHandler<T>): Promise<void> {
    const list = this.subs.get(topic) ?? [];
    list.push({ group: options.group, maxAttempts: options.maxAttempts ?? 5, handler: handler as unknown as EventHandler<Topic>, chains: new Map() });
    this.subs.set(topic, list);
    let g = this.groups.get(options.group);
    if (!g) {
      g = { state: 'idle', topics: new Set(), crashes: 0, lastError: null, since: new Date().toISOString(), resumed: null };
      this.groups.set(options.group, g);
    }
    g.topics.add(topic);
  }

  consumerStates(): ConsumerStatus[] {
    return [...this.groups.entries()].map(([group, g]) => ({ group, topics: [...g.topics], state: g.state, crashes: g.crashes, lastError: g.lastError, since: g.since }));
  }

  /** Simulates a consumer crash: the group stops taking messages for restartDelayMs, then resumes where it was. */
  crashConsumer(group: string): boolean {
    const g = this.groups.get(group);
    if (!g || this.closed) return false;
    g.crashes++;
    g.lastError = 'injected consumer crash (fault injection)';
    this.setState(g, 'crashed');
    g.resumed = new Promise<void>((resolve) =>
      setTimeout(() => {
        g.resumed = null;
        this.setState(g, 'running');
        resolve();
      }, this.restartDelayMs).unref(),
    );
    return true;
  }

  /** Resolves when every message published so far has been handled (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    for (const g of this.groups.values()) this.setState(g, 'stopped');
  }

  private setState(g: GroupState, state: ConsumerState): void {
    g.state = state;
    g.since = new Date().toISOString();
  }

  private enqueue(topic: Topic, key: string, bytes: Buffer, sub: Subscription): void {
    const prev = sub.chains.get(key) ?? Promise.resolve();
    const next = prev.then(() => this.run(topic, bytes, sub));
    sub.chains.set(key, next);
    this.pending.add(next);
    void next.finally(() => {
      this.pending.delete(next);
      if (sub.chains.get(key) === next) sub.chains.delete(key);
    });
  }

  private async run(topic: Topic, bytes: Buffer, sub: Subscription): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const paused = this.groups.get(sub.group)?.resumed;
      if (paused) await paused;
      const outcome = await deliver(topic, bytes, sub.handler, sub.group, attempt, sub.maxAttempts);
      if (outcome.kind === 'handled') return;
      if (outcome.kind === 'dead-letter') {
        await this.publish(outcome.envelope);
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** attempt)));
    }
  }
}
