import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cross-replica wake-ups: `NOTIFY kairos_wakeup` (delivered at commit, identical notifications of one
 * transaction folded into one) whenever `tasks` gains a row or a row changes status: new work, a
 * requeue, an attempt's end (capacity freed), a claim (the chosen node's executor adopts and starts
 * it). Every executor LISTENs (WakeupListener) and runs its pass at once instead of at the next 250 ms
 * one: in distributed mode a queue's owner otherwise learned of another replica's completions and of
 * submissions, and an executor of the attempts placed on its nodes, only by polling.
 */
export class Wakeups1732350029000 implements MigrationInterface {
  name = 'Wakeups1732350029000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION kairos_notify_wakeup() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('kairos_wakeup', '');
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tasks_wakeup_insert AFTER INSERT ON tasks FOR EACH STATEMENT EXECUTE FUNCTION kairos_notify_wakeup()`);
    await q.query(`CREATE TRIGGER tasks_wakeup_status AFTER UPDATE OF status ON tasks FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status)
      EXECUTE FUNCTION kairos_notify_wakeup()`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS tasks_wakeup_status ON tasks`);
    await q.query(`DROP TRIGGER IF EXISTS tasks_wakeup_insert ON tasks`);
    await q.query(`DROP FUNCTION IF EXISTS kairos_notify_wakeup()`);
  }
}
