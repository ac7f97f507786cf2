import { encodeEnvelope, type Envelope, type Topic } from '@kairos/contracts';
import { deliver } from './dispatch';
import type { EventBus, EventHandler, SubscribeOptions } from './event-bus.port';

interface Subscription {
  group: string;
  maxAttempts: number;
  handler: EventHandler<Topic>;
  /** Per-key chains keep one task's events in order, like a Kafka partition. */
  chains: Map<string, Promise<void>>;
}

/**
 * Standalone mode's bus: same semantics as the Kafka adapter (validation at the edge, per-key order,
 * one delivery per group, retries, dead letters) inside one process. Messages are encoded to bytes and
 * decoded again so a consumer sees exactly what it would see from Kafka.
 */
export class InProcessEventBus implements EventBus {
  private readonly subs = new Map<string, Subscription[]>();
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  async start(): Promise<void> {}

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
  }

  /** Resolves when every message published so far has been handled (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
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
