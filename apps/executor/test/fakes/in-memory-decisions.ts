import type { DecisionRecord } from '@kairos/contracts';
import type { DecisionRepository } from '../../src/execution/decision.repository';

/** For unit tests of the executor service. */
export class InMemoryDecisionRepository implements DecisionRepository {
  readonly rows: DecisionRecord[] = [];
  batches = 0;
  async insertMany(records: readonly DecisionRecord[]): Promise<void> {
    if (!records.length) return;
    this.batches++;
    for (const r of records) if (!this.rows.some((x) => x.decisionId === r.decisionId)) this.rows.push(r);
  }
  async deleteOlderThan(cutoff: Date): Promise<number> {
    const before = this.rows.length;
    const kept = this.rows.filter((r) => Date.parse(r.at) >= cutoff.getTime());
    this.rows.splice(0, this.rows.length, ...kept);
    return before - kept.length;
  }
}
