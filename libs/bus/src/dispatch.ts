import { ContractViolation, decodeEnvelope, DEAD_LETTER_TOPIC, makeEnvelope, type Envelope, type Topic } from '@kairos/contracts';
import { HandlerError, type EventHandler } from './event-bus.port';

export type DeliveryOutcome =
  | { kind: 'handled' }
  | { kind: 'retry'; reason: string }
  /** A dependency the handler needs is unavailable (the database is down): retry later, without spending an attempt. */
  | { kind: 'wait'; reason: string }
  | { kind: 'dead-letter'; envelope: Envelope<'kairos.deadletter.v1'> };

export interface DeliverOptions {
  /**
   * True for an error that says a dependency is unavailable rather than that the message is bad (the
   * database unreachable, restarting or out of disk). Such a failure is retried for as long as it lasts
   * and never dead-lettered: the message is fine, and dead-lettering it would lose it.
   */
  unavailable?: (err: unknown) => boolean;
}

/**
 * The shared consume path of every adapter: decode and validate, run the handler, and decide what
 * happens to the message. Retryable failures are retried up to maxAttempts, then dead-lettered;
 * failures `opts.unavailable` recognises wait instead (see DeliverOptions).
 */
export async function deliver<T extends Topic>(
  topic: T,
  bytes: Buffer | null,
  handler: EventHandler<T>,
  consumer: string,
  attempt: number,
  maxAttempts: number,
  opts: DeliverOptions = {},
): Promise<DeliveryOutcome> {
  let event: Envelope<T>;
  try {
    event = decodeEnvelope(topic, bytes);
  } catch (e) {
    const reason = e instanceof ContractViolation ? e.message : `undecodable: ${(e as Error).message}`;
    return { kind: 'dead-letter', envelope: deadLetter(topic, bytes, reason, consumer) };
  }
  try {
    await handler(event);
    return { kind: 'handled' };
  } catch (e) {
    const retryable = e instanceof HandlerError ? e.retryable : true;
    if (retryable && opts.unavailable?.(e)) return { kind: 'wait', reason: `${consumer} waiting for an unavailable dependency: ${(e as Error).message}` };
    const reason = `${consumer} failed (attempt ${attempt}/${maxAttempts}): ${(e as Error).message}`;
    if (retryable && attempt < maxAttempts) return { kind: 'retry', reason };
    return { kind: 'dead-letter', envelope: deadLetter(topic, bytes, reason, consumer) };
  }
}

export function deadLetter(topic: string, bytes: Buffer | null, reason: string, consumer: string): Envelope<'kairos.deadletter.v1'> {
  return makeEnvelope(DEAD_LETTER_TOPIC, topic, {
    topic,
    reason,
    original: (bytes ?? Buffer.alloc(0)).toString('base64'),
    consumer,
    failedAt: new Date().toISOString(),
  });
}
