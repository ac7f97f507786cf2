// The body of PUT /api/queues/:queue/policy from the queue editor's fields. maxConcurrency is sent
// only when set or changed (a server that does not know the field yet answers 400, which is shown).
import type { QueueRow } from '../api/api-types';

export interface QueuePolicyFields {
  policy: string;
  placement: string;
  /** Text of the input: '' = no limit. */
  maxConcurrency: string;
}

export type QueuePolicyBody = { policy: string; placement: string; maxConcurrency?: number | null };

export function queuePolicyBody(f: QueuePolicyFields, current: Pick<QueueRow, 'maxConcurrency'>): { ok: true; value: QueuePolicyBody } | { ok: false; message: string } {
  const body: QueuePolicyBody = { policy: f.policy, placement: f.placement };
  const text = f.maxConcurrency.trim();
  if (text === '') {
    if (current.maxConcurrency !== undefined && current.maxConcurrency !== null) body.maxConcurrency = null;
    return { ok: true, value: body };
  }
  if (!/^\d+$/.test(text)) return { ok: false, message: 'maxConcurrency: a whole number ≥ 1, or empty for no limit' };
  const n = Number(text);
  if (n < 1 || n > 100_000) return { ok: false, message: 'maxConcurrency: between 1 and 100000' };
  body.maxConcurrency = n;
  return { ok: true, value: body };
}
