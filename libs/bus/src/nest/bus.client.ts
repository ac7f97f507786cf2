import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { isTopic, type Envelope } from '@kairos/contracts';
import type { EventBus } from '../event-bus.port';

/**
 * The Nest client side of the bus: `client.emit(topic, envelope)` publishes through the same EventBus
 * adapter the server consumes from (Kafka or in-process). Events only: `send` (request-response) fails.
 */
export class KairosBusClient extends ClientProxy {
  constructor(private readonly bus: EventBus) {
    super();
  }

  async connect(): Promise<EventBus> {
    return this.bus;
  }

  async close(): Promise<void> {
    // The bus belongs to the process (closed by the server); the client only borrows it.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error(`send(${String(packet.pattern)}): the Kairos bus carries events only; use emit`), isDisposed: true });
    return () => undefined;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket<Envelope>): Promise<T> {
    const topic = this.normalizePattern(packet.pattern);
    if (!isTopic(topic) || packet.data.topic !== topic) throw new Error(`emit(${topic}): the envelope's topic is ${packet.data.topic}`);
    await this.bus.publish(packet.data);
    return undefined as T;
  }
}
