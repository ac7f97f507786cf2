import type { RunSpec } from '@kairos/contracts';
import type { PlatformTaskRecord } from '@kairos/ml';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type Database } from '@kairos/persistence';
import { taskSignature } from '../estimates/duration-baseline';

interface HistoryRow {
  id: string;
  name: string | null;
  queue: string;
  run: RunSpec;
  resources: { cpuMillis?: number; memMb?: number };
  status: string;
  created_at: Date | string;
  finished_at: Date | string | null;
  duration_ms: number | null;
}

/**
 * The platform's own history for training, drift and patterns: the newest tasks with the run time of
 * their last attempt. A completion becomes visible at created_at + run time (queue wait is not modelled).
 */
@Injectable()
export class TaskHistoryRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async recent(limit: number, sinceMs?: number): Promise<PlatformTaskRecord[]> {
    const rows = await this.db.query<HistoryRow>(
      `SELECT t.id, t.name, t.queue, t.run, t.resources, t.status, t.created_at, t.finished_at, h.duration_ms
       FROM tasks t LEFT JOIN LATERAL (SELECT duration_ms FROM duration_history d WHERE d.task_id = t.id AND d.status = 'succeeded' ORDER BY attempt DESC LIMIT 1) h ON true
       WHERE ($2::timestamptz IS NULL OR t.created_at >= $2::timestamptz)
       ORDER BY t.created_at DESC LIMIT $1`,
      [limit, sinceMs === undefined ? null : new Date(sinceMs).toISOString()],
    );
    return rows.reverse().map((r) => {
      const createdAtMs = new Date(r.created_at).getTime();
      const succeeded = r.status === 'succeeded' && r.duration_ms !== null;
      return {
        taskId: r.id,
        signature: taskSignature(r.queue, r.name, r.run),
        cpuMillis: r.resources.cpuMillis ?? 100,
        memMb: r.resources.memMb ?? 64,
        createdAtMs,
        finishedAtMs: succeeded ? createdAtMs + (r.duration_ms as number) : r.finished_at ? new Date(r.finished_at).getTime() : null,
        succeeded,
      };
    });
  }
}
