import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TOPIC_SCHEMAS, type Topic, type TopicPayload } from './topics';
import { formatIssuePath } from './security/safe-string';

/** Every message on the bus: ids for idempotent handling, a trace id, and the partition key. */
export const EnvelopeSchema = z.object({
  eventId: z.string().uuid(),
  topic: z.string(),
  occurredAt: z.string().datetime(),
  traceId: z.string().min(1),
  key: z.string().min(1),
  payload: z.unknown(),
});
export type Envelope<T extends Topic = Topic> = Omit<z.infer<typeof EnvelopeSchema>, 'payload' | 'topic'> & {
  topic: T;
  payload: TopicPayload<T>;
};

export class ContractViolation extends Error {
  readonly code = 'CONTRACT_VIOLATION' as const;
  constructor(
    readonly topic: string,
    readonly issues: string[],
  ) {
    super(`invalid message on ${topic}: ${issues.join('; ')}`);
  }
}

/** One line per issue, `path: message`, the path as users write it (`run.command[1]`); see formatIssuePath. */
export function formatZodIssues(error: z.ZodError): string[] {
  return flattenIssues(error.issues, [], '');
}

function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[], note: string): string[] {
  return issues.flatMap((i) => {
    const path = [...prefix, ...i.path];
    // A bad record key arrives as "Invalid key in record" wrapping the key schema's own issues.
    if (i.code === 'invalid_key') return flattenIssues(i.issues, path, ' (name)');
    return [`${formatIssuePath(path)}${note}: ${i.message}`];
  });
}

export function makeEnvelope<T extends Topic>(
  topic: T,
  key: string,
  payload: TopicPayload<T>,
  opts: { traceId?: string; eventId?: string; occurredAt?: Date } = {},
): Envelope<T> {
  return {
    eventId: opts.eventId ?? randomUUID(),
    topic,
    occurredAt: (opts.occurredAt ?? new Date()).toISOString(),
    traceId: opts.traceId ?? randomUUID(),
    key,
    payload,
  };
}

export function encodeEnvelope(env: Envelope): Buffer {
  return Buffer.from(JSON.stringify(env));
}

/** Parses raw bytes received on `topic`; throws ContractViolation naming every bad field. */
export function decodeEnvelope<T extends Topic>(topic: T, bytes: Buffer | string | null): Envelope<T> {
  if (bytes === null) throw new ContractViolation(topic, ['(root): empty message']);
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (e) {
    throw new ContractViolation(topic, [`(root): not JSON (${(e as Error).message})`]);
  }
  const env = EnvelopeSchema.safeParse(json);
  if (!env.success) throw new ContractViolation(topic, formatZodIssues(env.error));
  if (env.data.topic !== topic) throw new ContractViolation(topic, [`topic: envelope says ${env.data.topic}`]);
  const payload = TOPIC_SCHEMAS[topic].safeParse(env.data.payload);
  if (!payload.success) {
    throw new ContractViolation(topic, formatZodIssues(payload.error).map((m) => `payload.${m}`));
  }
  return { ...env.data, topic, payload: payload.data as TopicPayload<T> };
}
