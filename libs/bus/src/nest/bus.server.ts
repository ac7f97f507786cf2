import { CustomTransportStrategy, Server, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { isTopic, type Envelope, type Topic } from '@kairos/contracts';
import type { EventBus } from '../event-bus.port';
import { BusContext } from './bus.context';
import type { ConsumerOptions } from './consumer-options';

export type BusServerErrorCode = 'NOT_AN_EVENT_HANDLER' | 'UNKNOWN_TOPIC' | 'NO_GROUP' | 'DUPLICATE_HANDLER';

export class BusServerError extends Error {
  constructor(
    readonly code: BusServerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface Registration {
  topic: Topic;
  group: string;
  maxAttempts?: number;
  inFlightPerPartition?: number;
  handler: MessageHandler;
}

/**
 * A Nest microservice transport over the EventBus port (Kafka or the in-process twin). Every
 * `@EventPattern(topic, { group })` method becomes one subscription of its own group, so the bus keeps
 * its guarantees: zod validation at the edge, retries, dead letters with the reason and the original
 * bytes, offsets committed only after the handler resolved.
 *
 * Nest chains event handlers that share a pattern and runs them together; here two handlers of one
 * topic are two consumer groups (say the collector's and the analyzer's in standalone mode), each
 * getting every message and failing on its own. So handlers are kept apart in `addHandler`.
 */
export class KairosBusServer extends Server implements CustomTransportStrategy {
  private readonly registrations: Registration[] = [];

  constructor(private readonly bus: EventBus) {
    super();
  }

  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    const topic = this.normalizePattern(pattern as string);
    if (!isEventHandler) throw new BusServerError('NOT_AN_EVENT_HANDLER', `@MessagePattern(${topic}): the bus carries events only; use @EventPattern`);
    if (!isTopic(topic)) throw new BusServerError('UNKNOWN_TOPIC', `@EventPattern(${topic}): not a contract topic`);
    const { group, maxAttempts, inFlightPerPartition } = extras as Partial<ConsumerOptions>;
    if (typeof group !== 'string' || !group) throw new BusServerError('NO_GROUP', `@EventPattern(${topic}) needs { group } (the consumer group)`);
    if (this.registrations.some((r) => r.topic === topic && r.group === group)) {
      throw new BusServerError('DUPLICATE_HANDLER', `two @EventPattern(${topic}) handlers in group ${group}: a group handles a topic once`);
    }
    callback.isEventHandler = true;
    callback.extras = extras;
    this.registrations.push({ topic, group, maxAttempts, inFlightPerPartition, handler: callback });
  }

  /** topic → groups, as registered (for tests and /health). */
  subscriptions(): Array<{ topic: Topic; group: string }> {
    return this.registrations.map(({ topic, group }) => ({ topic, group }));
  }

  /** Subscribes every handler, then starts the bus: each Kafka group joins once with all its topics. */
  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      for (const r of this.registrations) {
        await this.bus.subscribe(r.topic, { group: r.group, maxAttempts: r.maxAttempts, inFlightPerPartition: r.inFlightPerPartition }, (event) => this.invoke(r, event));
      }
      await this.bus.start();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    await this.bus.close();
  }

  on(): void {
    // The bus reports its own state (consumerStates, for /health); there are no transport events to hook.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  /** Runs one handler on a validated envelope; resolves when it finished, rejects with its own error. */
  private async invoke(r: Registration, event: Envelope): Promise<void> {
    const out = await r.handler(event, new BusContext([r.topic, r.group]));
    await lastValueFrom(this.transformToObservable(out), { defaultValue: undefined });
  }
}
