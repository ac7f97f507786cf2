import type { SqlExecutor } from './database';
import { EmbeddedVacuum } from './embedded-vacuum';

/** A fake database: lists `tables`, records every statement. */
function fake(tables: string[]): SqlExecutor & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    async query<T>(sql: string): Promise<T[]> {
      statements.push(sql);
      return (sql.startsWith('SELECT c.relname') ? tables.map((relname) => ({ relname })) : []) as T[];
    },
  };
}

describe('EmbeddedVacuum', () => {
  it('vacuums tasks every second step, the hot tables every fourth, the rest in turn, one table a step', async () => {
    const db = fake(['api_keys', 'attempts', 'outbox', 'schedules', 'tasks', 'workflow_runs']);
    const v = new EmbeddedVacuum(db);
    const order: Array<string | null> = [];
    for (let i = 0; i < 12; i++) order.push(await v.runStep());
    expect(order).toEqual(['tasks', 'outbox', 'tasks', 'api_keys', 'tasks', 'attempts', 'tasks', 'schedules', 'tasks', 'outbox', 'tasks', 'workflow_runs']);
    const vacuums = db.statements.filter((s) => s.startsWith('VACUUM'));
    expect(vacuums[0]).toBe('VACUUM (ANALYZE) "tasks"');
    expect(vacuums).toHaveLength(12);
  });

  it('does nothing on an empty database and quotes odd table names', async () => {
    expect(await new EmbeddedVacuum(fake([])).runStep()).toBeNull();
    const db = fake(['we"ird']);
    expect(await new EmbeddedVacuum(db).runStep()).toBe('we"ird');
    expect(db.statements).toContain('VACUUM (ANALYZE) "we""ird"');
  });
});
