import { Inject, Injectable } from '@nestjs/common';
import type { Envelope, Topic } from '@kairos/contracts';
import { DATABASE, type Database } from '@kairos/persistence';
import { GroupBatcher } from '@kairos/platform';

export const EVENT_LOG_REPOSITORY = Symbol('EVENT_LOG_REPOSITORY');

/** event_log: every lifecycle event as received from the bus, keyed by event id. */
export interface EventLogRepository {
  /** Appends an event (a redelivery is a no-op). Resolves once durable. */
  append(e: Envelope<Topic>): Promise<void>;
}

/** Concurrent appends are group-committed: one multi-row INSERT per batch. */
@Injectable()
export class PgEventLogRepository implements EventLogRepository {
  private readonly events = new GroupBatcher<Envelope<Topic>, void>(async (batch) => {
    await this.db.query(
      `INSERT INTO event_log (event_id, topic, key, occurred_at, payload)
       SELECT event_id, topic, key, occurred_at, payload
       FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, topic text, key text, occurred_at timestamptz, payload jsonb)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(batch.map((e) => ({ event_id: e.eventId, topic: e.topic, key: e.key, occurred_at: e.occurredAt, payload: e.payload })))],
    );
    return batch.map(() => undefined);
  });

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  append(e: Envelope<Topic>): Promise<void> {
    return this.events.add(e);
  }
}
