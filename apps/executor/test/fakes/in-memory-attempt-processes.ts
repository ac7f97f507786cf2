import type { AttemptProcessRecord, AttemptProcessRepository } from '../../src/execution/attempt-process.repository';

/** attempt_processes in memory: rows with their end reason (null while open). */
export class InMemoryAttemptProcessRepository implements AttemptProcessRepository {
  readonly rows: Array<AttemptProcessRecord & { endReason: string | null }> = [];

  async record(r: AttemptProcessRecord): Promise<void> {
    const i = this.rows.findIndex((x) => x.taskId === r.taskId && x.attempt === r.attempt);
    if (i >= 0) this.rows.splice(i, 1);
    this.rows.push({ ...r, endReason: null });
  }

  async markEnded(taskId: string, attempt: number, reason: string): Promise<void> {
    const row = this.rows.find((x) => x.taskId === taskId && x.attempt === attempt && x.endReason === null);
    if (row) row.endReason = reason;
  }

  async open(host: string, taskId?: string): Promise<AttemptProcessRecord[]> {
    return this.rows.filter((r) => r.host === host && r.endReason === null && (taskId === undefined || r.taskId === taskId)).map(({ endReason: _e, ...r }) => r);
  }
}
