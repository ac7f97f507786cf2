import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * event_log (collector): every lifecycle event as received from the bus — the consumer-side audit
 * trail. dead_letters (gateway): messages no consumer could accept, with the reason, for operators.
 */
export class EventLog1732350002000 implements MigrationInterface {
  name = 'EventLog1732350002000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE event_log (
      event_id uuid PRIMARY KEY,
      topic text NOT NULL,
      key text NOT NULL,
      occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      payload jsonb NOT NULL
    )`);
    await q.query(`CREATE INDEX event_log_key ON event_log (key, occurred_at)`);
    await q.query(`CREATE TABLE dead_letters (
      event_id uuid PRIMARY KEY,
      topic text NOT NULL,
      consumer text NOT NULL,
      reason text NOT NULL,
      original text NOT NULL,
      failed_at timestamptz NOT NULL
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letters`);
    await q.query(`DROP TABLE event_log`);
  }
}
