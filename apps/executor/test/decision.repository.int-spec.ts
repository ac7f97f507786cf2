import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecisionRecordSchema, type DecisionRecord } from '@kairos/contracts';
import { Database, withBaseline } from '@kairos/persistence';
import { createTestDatabase } from '@kairos/testing';
import { EXECUTOR_MIGRATIONS } from '../src/database/migrations';
import { PgDecisionRepository } from '../src/execution/decision.repository';

// scheduling_decisions against a real PostgreSQL server: one multi-row insert, idempotent by decision id,
// and the retention delete.
describe('DecisionRepository on PostgreSQL', () => {
  let tdb: { url: string; drop(): Promise<void> };
  let db: Database;
  let repo: PgDecisionRepository;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await Database.open({ url: tdb.url, dataDir: mkdtempSync(join(tmpdir(), 'kairos-')), migrations: withBaseline(EXECUTOR_MIGRATIONS) });
    repo = new PgDecisionRepository(db);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const record = (at: string, kind: 'placement' | 'ordering' = 'placement'): DecisionRecord =>
    DecisionRecordSchema.parse({
      schemaVersion: 1, decisionId: randomUUID(), kind, at, policy: { name: kind === 'placement' ? 'least-loaded' : 'priority', version: '1' }, taskId: randomUUID(), nodeId: 'n1', objective: 'min',
      chosen: { id: 'n1', score: 0.25, components: [{ name: 'dominant_allocated_share', input: 0.25, weight: 1, contribution: 0.25 }], eligible: true },
      runnerUp: null, inputs: { waitingMs: 5 }, confidence: 1, candidatesConsidered: 1, candidatesSampled: false, summary: 'n1 by least-loaded',
    });

  it('inserts a batch in one statement (duplicates ignored), keeps the record as written, and deletes by age', async () => {
    const old = record('2026-11-01T00:00:00.000Z');
    const fresh = [record('2026-11-30T00:00:00.000Z'), record('2026-11-30T00:00:01.000Z', 'ordering')];
    await repo.insertMany([old, ...fresh]);
    await repo.insertMany([old]);
    await repo.insertMany([]);
    const rows = await db.query<{ decision_id: string; kind: string; policy: string; node_id: string; record: DecisionRecord }>(`SELECT decision_id, kind, policy, node_id, record FROM scheduling_decisions ORDER BY decided_at`);
    expect(rows.map((r) => [r.decision_id, r.kind, r.policy])).toEqual([[old.decisionId, 'placement', 'least-loaded'], [fresh[0]!.decisionId, 'placement', 'least-loaded'], [fresh[1]!.decisionId, 'ordering', 'priority']]);
    expect(rows[0]!.record).toEqual(old);
    expect(await repo.deleteOlderThan(new Date('2026-11-16T00:00:00.000Z'))).toBe(1);
    expect(await repo.deleteOlderThan(new Date('2026-11-16T00:00:00.000Z'))).toBe(0);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM scheduling_decisions`))[0]!.n).toBe(2);
  });
});
