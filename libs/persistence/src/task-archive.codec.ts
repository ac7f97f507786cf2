import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * One archived task as stored in task_archive.blob: the task row, its attempts and its outbox events,
 * each exactly as PostgreSQL's to_jsonb rendered the row when it was archived (timestamps as ISO
 * strings), JSON-encoded and gzip-compressed (RFC 1952). `format` versions the layout.
 */
export interface TaskArchiveRecord {
  format: 1;
  kind: 'task' | 'workflow_run';
  /** tasks (or workflow_runs) row. */
  row: Record<string, unknown>;
  /** attempts rows, oldest first (empty for a workflow run). */
  attempts: Array<Record<string, unknown>>;
  /** outbox rows keyed by the task id, in the order they were written (empty for a workflow run). */
  events: Array<Record<string, unknown>>;
}

export const TASK_ARCHIVE_FORMAT = 'json+gzip';

/**
 * Synchronous on purpose: measured on a batch of 500 (docs/resources.md, Retention), zlib's async form
 * (one thread-pool job and stream per record) was 3–4× slower and stalled the event loop longer than
 * compressing in slices with a yield between them, which is what the retention repository does.
 */
export function encodeTaskArchive(record: TaskArchiveRecord): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(record), 'utf8'));
}

export class TaskArchiveFormatError extends Error {
  readonly code = 'TASK_ARCHIVE_UNREADABLE' as const;
}

/** The record a blob holds; throws TaskArchiveFormatError when it is not one (corrupt or a later format). */
export function decodeTaskArchive(blob: Buffer | Uint8Array): TaskArchiveRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(blob).toString('utf8'));
  } catch (err) {
    throw new TaskArchiveFormatError(`archive blob is not gzip-compressed JSON: ${(err as Error).message}`);
  }
  const r = parsed as Partial<TaskArchiveRecord> | null;
  if (!r || r.format !== 1 || (r.kind !== 'task' && r.kind !== 'workflow_run') || typeof r.row !== 'object' || r.row === null || !Array.isArray(r.attempts) || !Array.isArray(r.events)) {
    throw new TaskArchiveFormatError('archive blob is not a format-1 task archive record');
  }
  return r as TaskArchiveRecord;
}
