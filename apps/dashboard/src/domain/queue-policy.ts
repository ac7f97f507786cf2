// The body of PUT /api/queues/:queue/policy from the queue editor's fields. maxConcurrent is sent
// only when set or changed; an empty field lifts a limit the queue had.
import type { QueueRow } from '../api/api-types';

export interface QueuePolicyFields {
  policy: string;
  placement: string;
  /** Text of the input: '' = no limit. */
  maxConcurrent: string;
}

export type QueuePolicyBody = { policy: string; placement: string; maxConcurrent?: number | null };

export function queuePolicyBody(f: QueuePolicyFields, current: Pick<QueueRow, 'maxConcurrent'>): { ok: true; value: QueuePolicyBody } | { ok: false; message: string } {
  const body: QueuePolicyBody = { policy: f.policy, placement: f.placement };
  const text = f.maxConcurrent.trim();
  if (text === '') {
    if (current.maxConcurrent !== undefined && current.maxConcurrent !== null) body.maxConcurrent = null;
    return { ok: true, value: body };
  }
  if (!/^\d+$/.test(text)) return { ok: false, message: 'maxConcurrent: a whole number ≥ 1, or empty for no limit' };
  const n = Number(text);
  if (n < 1 || n > 100_000) return { ok: false, message: 'maxConcurrent: between 1 and 100000' };
  body.maxConcurrent = n;
  return { ok: true, value: body };
}
