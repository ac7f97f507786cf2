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

  /**
   * Read newest first in keyset pages of `pageSize` (one statement per page, each converted as it arrives), so a
   * 20,000-row read holds neither the embedded database's one thread (0.4–0.9 s in one statement under the
   * schedules bench: other statements — claims — now run between pages) nor this thread for long.
   */
  async recent(limit: number, sinceMs?: number, pageSize = 500): Promise<PlatformTaskRecord[]> {
    const records: PlatformTaskRecord[] = [];
    let after: { at: string; id: string } | null = null;
    while (records.length < limit) {
      const n = Math.min(pageSize, limit - records.length);
      const page: Array<HistoryRow & { at_key: string }> = await this.db.query<HistoryRow & { at_key: string }>(
        `SELECT t.id, t.name, t.queue, t.run, t.resources, t.status, t.created_at, t.created_at::text AS at_key, t.finished_at, h.duration_ms
         FROM tasks t LEFT JOIN LATERAL (SELECT duration_ms FROM duration_history d WHERE d.task_id = t.id AND d.status = 'succeeded' ORDER BY attempt DESC LIMIT 1) h ON true
         WHERE ($2::timestamptz IS NULL OR t.created_at >= $2::timestamptz)
           AND ($3::timestamptz IS NULL OR (t.created_at, t.id) < ($3::timestamptz, $4::uuid))
         ORDER BY t.created_at DESC, t.id DESC LIMIT $1`,
        [n, sinceMs === undefined ? null : new Date(sinceMs).toISOString(), after?.at ?? null, after?.id ?? null],
      );
      for (const r of page) records.push(toRecord(r));
      if (page.length < n) break;
      const last = page[page.length - 1];
      after = { at: last.at_key, id: last.id };
    }
    return records.reverse();
  }
}

/** A history row as the duration model reads it. */
function toRecord(r: HistoryRow): PlatformTaskRecord {
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
}
