import type { SqlExecutor } from './database';

/** Tables rewritten on every task or lease change: vacuumed every other step; `tasks` in every other of those. */
const HOT_TABLES = ['outbox', 'queue_owners', 'attempts', 'nodes', 'schedule_state', 'schedule_partitions', 'schedule_planners', 'metric_rollup_dirty', 'retention_lease'];

/**
 * Autovacuum for the embedded database, which has none: without it every update leaves a dead row version that
 * stays in the tables and indexes, and statistics never refresh. One table per step, so no step holds the database
 * for more than one table's vacuum: `tasks` every second step, the other hot tables every fourth, the rest in
 * turn. A step is not free — `tasks` with 60,000 rows took 0.6–0.8 s — so steps are a minute apart by default
 * (every 5 s saturated the database at 200 schedule ticks/s: docs/benchmarks.md, schedules).
 */
export class EmbeddedVacuum {
  private step = 0;
  private tables: string[] | null = null;
  private hot = 0;
  private cold = 0;

  constructor(private readonly db: SqlExecutor) {}

  /** The table the next step vacuums (null when there is none). */
  async next(): Promise<string | null> {
    if (!this.tables || this.step % 500 === 0) {
      const rows = await this.db.query<{ relname: string }>(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname`);
      this.tables = rows.map((r) => r.relname);
    }
    const all = this.tables;
    const step = this.step++;
    if (all.length === 0) return null;
    if (step % 2 === 0 && all.includes('tasks')) return 'tasks';
    const hot = HOT_TABLES.filter((t) => all.includes(t));
    const cold = all.filter((t) => t !== 'tasks' && !HOT_TABLES.includes(t));
    if ((step % 4 === 1 || cold.length === 0) && hot.length > 0) return hot[this.hot++ % hot.length];
    return cold.length > 0 ? cold[this.cold++ % cold.length] : null;
  }

  async runStep(): Promise<string | null> {
    const table = await this.next();
    if (table) await this.db.query(`VACUUM (ANALYZE) "${table.replace(/"/g, '""')}"`);
    return table;
  }
}
