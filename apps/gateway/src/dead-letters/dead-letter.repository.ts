import { Inject, Injectable } from '@nestjs/common';
import type { Envelope } from '@kairos/contracts';
import { DATABASE, type Database } from '@kairos/persistence';

export const DEAD_LETTER_REPOSITORY = Symbol('DEAD_LETTER_REPOSITORY');

export interface DeadLetterView {
  eventId: string;
  topic: string;
  consumer: string;
  reason: string;
  original: string;
  failedAt: Date;
}

/** dead_letters (gateway): messages no consumer could accept, with the reason, for operators. */
export interface DeadLetterRepository {
  /** Idempotent by event id. */
  store(e: Envelope<'kairos.deadletter.v1'>): Promise<void>;
  recent(limit: number): Promise<DeadLetterView[]>;
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

  recent(limit: number): Promise<DeadLetterView[]> {
    return this.db.query<DeadLetterView>(
      `SELECT event_id AS "eventId", topic, consumer, reason, original, failed_at AS "failedAt" FROM dead_letters ORDER BY failed_at DESC LIMIT $1`,
      [limit],
    );
  }
}
