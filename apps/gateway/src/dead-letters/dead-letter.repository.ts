import { Inject, Injectable } from '@nestjs/common';
import type { Envelope } from '@kairos/contracts';
import { DATABASE, type Database } from '@kairos/persistence';
import { cursorTime, type Keyset } from '@kairos/runtime';

export const DEAD_LETTER_REPOSITORY = Symbol('DEAD_LETTER_REPOSITORY');

export interface DeadLetterView {
  eventId: string;
  topic: string;
  consumer: string;
  reason: string;
  /** The first 1,000 characters of the message as received (originalBytes: its whole size). */
  original: string;
  originalBytes: number;
  failedAt: Date;
}

/** dead_letters (gateway): messages no consumer could accept, with the reason, for operators. */
export interface DeadLetterRepository {
  /** Idempotent by event id. */
  store(e: Envelope<'kairos.deadletter.v1'>): Promise<void>;
  /** Newest first, `limit` after `after`. */
  recent(limit: number, after?: Keyset): Promise<Array<DeadLetterView & { cursor_t: string }>>;
}

@Injectable()
export class PgDeadLetterRepository implements DeadLetterRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async store(e: Envelope<'kairos.deadletter.v1'>): Promise<void> {
    const d = e.payload;
    await this.db.query(
      `INSERT INTO dead_letters (event_id, topic, consumer, reason, original, failed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING`,
      [e.eventId, d.topic, d.consumer, d.reason, d.original, d.failedAt],
    );
  }

  recent(limit: number, after?: Keyset): Promise<Array<DeadLetterView & { cursor_t: string }>> {
    return this.db.query<DeadLetterView & { cursor_t: string }>(
      `SELECT event_id AS "eventId", topic, consumer, reason, left(original, 1000) AS original, octet_length(original) AS "originalBytes", failed_at AS "failedAt", ${cursorTime('failed_at')} AS cursor_t
         FROM dead_letters
        WHERE ($1::timestamptz IS NULL OR (failed_at, event_id::text) < ($1::timestamptz, $2::text))
        ORDER BY failed_at DESC, event_id::text DESC LIMIT $3`,
      [after?.t ?? null, after?.id ?? null, limit],
    );
  }
}
