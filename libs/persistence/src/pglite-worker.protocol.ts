/** Messages between `PgliteWorkerPool` (main thread) and `pglite.worker` (the embedded database's thread). */
export type WorkerCommand = { op: 'query'; sql: string; params: unknown[] } | { op: 'close' };
export type WorkerRequest = WorkerCommand & { id: number };

/** A statement's result in node-postgres' shape (what TypeORM's PostgreSQL query runner reads). */
export interface WorkerResult {
  rows: unknown[];
  rowCount: number;
  fields: Array<{ name: string; dataTypeID: number }>;
}

export type WorkerReply = { id: number; ok: true; result: WorkerResult | null } | { id: number; ok: false; error: Record<string, unknown> };
