import { encodeEnvelope, lifecycleCopyOf, type Envelope } from '@kairos/contracts';
import type { SqlExecutor, Database } from './database';

/** Where the relay sends what it read from the outbox (the bus, which persistence does not know). */
export interface OutboxPublisher {
  publishBatch(events: Envelope[]): Promise<void>;
}
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transactional outbox: a service writes its events in the same transaction as the state change
 * they describe, and the relay publishes them afterwards. So an event is never published for a
 * change that rolled back, and never lost for one that committed. Rows are kept after publishing:
 * they are the service's event log (GET /api/tasks/:id shows them).
 */
export async function appendToOutbox(tx: SqlExecutor, producer: string, events: Envelope[]): Promise<void> {
  if (!events.length) return;
  const values: unknown[] = [];
  const rows = events.map((e, i) => {
    values.push(e.eventId, producer, e.topic, e.key, encodeEnvelope(e).toString('utf8'), e.occurredAt);
    const b = i * 6;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb, $${b + 6})`;
  });
  await tx.query(`INSERT INTO outbox (event_id, producer, topic, key, envelope, occurred_at) VALUES ${rows.join(',')}`, values);
}

/** Unpublished rows of one producer and when the oldest of them happened (null: none), for readiness. */
export async function outboxBacklog(db: SqlExecutor, producer: string): Promise<{ backlog: number; oldestAt: Date | null }> {
  const [r] = await db.query<{ backlog: number; oldest: Date | string | null }>(
    `SELECT count(*)::int AS backlog, min(occurred_at) AS oldest FROM outbox WHERE producer = $1 AND published_at IS NULL`,
    [producer],
  );
  return { backlog: Number(r?.backlog ?? 0), oldestAt: r?.oldest ? new Date(r.oldest) : null };
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private pending: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly bus: OutboxPublisher,
    private readonly producer: string,
    private readonly onError: (err: unknown) => void,
    private readonly pollMs = 500,
    private readonly batch = 500,
    /** Commits within this window share one flush (one transaction) instead of one flush each. */
    private readonly coalesceMs = 5,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.kick();
  }

  /** Ask for a flush soon (after a commit); requests within coalesceMs, or during a flush, share one. */
  kick(): void {
    if (this.stopped || this.pending) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.pending = setTimeout(() => {
      this.pending = null;
      this.flushSoon();
    }, this.coalesceMs);
  }

  private flushSoon(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.flushAll()
      .catch(this.onError)
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async flushAll(): Promise<void> {
    // A round may hold back a task's later events (see flushOnce), so go on while rounds publish.
    while (!this.stopped && (await this.flushOnce()) > 0);
  }

  /** Unpublished events of this producer and the oldest one's age in seconds (0 when none). */
  async backlog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const rows = await this.db.query<{ n: number; age: number | null }>(
      `SELECT count(*)::int AS n, EXTRACT(EPOCH FROM now() - min(occurred_at))::float8 AS age FROM outbox WHERE producer = $1 AND published_at IS NULL`,
      [this.producer],
    );
    return { count: rows[0]?.n ?? 0, oldestAgeSeconds: Math.max(0, rows[0]?.age ?? 0) };
  }

  /**
   * Publishes one batch of unpublished rows, oldest first; returns how many. A task event (topic
   * task.*) goes out only once every earlier row with its key is published, whoever produced it (the
   * gateway's queued before an executor's started; one executor relay's started before another's
   * completed), and each task event is also published as its task.lifecycle.v1 copy in the same
   * batch: so that topic's partition holds each task's events in the order they happened.
   */
  async flushOnce(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ id: string; envelope: Envelope }>(
        `SELECT o.id, o.envelope FROM outbox o
         WHERE o.producer = $1 AND o.published_at IS NULL
           AND (o.topic NOT LIKE 'task.%'
                OR NOT EXISTS (SELECT 1 FROM outbox p WHERE p.key = o.key AND p.id < o.id AND p.published_at IS NULL))
         ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED`,
        [this.producer, this.batch],
      );
      if (!rows.length) return 0;
      const envelopes = rows.map((r): Envelope => (typeof r.envelope === 'string' ? JSON.parse(r.envelope) : r.envelope));
      await this.bus.publishBatch(envelopes.flatMap((e) => {
        const copy = lifecycleCopyOf(e);
        return copy ? [e, copy] : [e];
      }));
      await tx.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
    await this.running;
  }
}

export class CreateOutbox1732350000000 implements MigrationInterface {
  name = 'CreateOutbox1732350000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS outbox (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      producer text NOT NULL,
      topic text NOT NULL,
      key text NOT NULL,
      envelope jsonb NOT NULL,
      occurred_at timestamptz NOT NULL,
      published_at timestamptz
    )`);
    await q.query(`CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (producer, id) WHERE published_at IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS outbox_key ON outbox (key, id)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
  }
}
