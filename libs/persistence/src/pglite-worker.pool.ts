import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { resolveWorkerScript } from '@kairos/platform';
import type { WorkerCommand, WorkerReply, WorkerRequest, WorkerResult } from './pglite-worker.protocol';

type Callback<T> = (err: Error | null, value?: T) => void;

interface Pending {
  resolve: (r: WorkerResult | null) => void;
  reject: (e: Error) => void;
}

/**
 * A node-postgres-shaped pool (what TypeORM's PostgreSQL driver drives: `connect`, `query`, `end`, error events)
 * whose one connection is PGlite running in a worker thread (`pglite.worker.ts`). PGlite executes each statement
 * synchronously on its thread; in-process it held the event loop for the whole statement, so timers (a schedule's
 * start), HTTP requests and child-process I/O waited behind every query. Statements are answered in the order sent.
 *
 * When the thread dies (it should not: PGlite errors are answers, not crashes), every statement waiting and every
 * later one fails with SQLSTATE 58000 (system_error), which `classifyStorageFailure` reports as the database
 * unavailable (503, /health down) rather than a fault of the statement.
 */
export class PgliteWorkerPool extends EventEmitter {
  private worker: Worker | null = null;
  private exited: Error | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly dataDir: string,
    private readonly slowStatementMs = 0,
  ) {
    super();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const { file, execArgv } = resolveWorkerScript(__dirname, 'pglite.worker');
    const worker = new Worker(file, { workerData: { dataDir: this.dataDir, slowMs: this.slowStatementMs }, ...(execArgv ? { execArgv } : {}) });
    worker.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(Object.assign(new Error(String(reply.error.message)), reply.error));
    });
    const fail = (err: Error) => {
      this.exited = Object.assign(new Error(`the embedded database thread stopped: ${err.message}`), { code: '58000' });
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
      this.emit('error', this.exited);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.exited) fail(new Error(`exit code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private send(req: WorkerCommand): Promise<WorkerResult | null> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const msg: WorkerRequest = { ...req, id };
      this.thread().postMessage(msg);
    });
  }

  /** The one connection is the pool itself (as node-postgres' `pool.connect` hands out a client). */
  connect(cb: (err: Error | null, client: PgliteWorkerPool | null, release: () => void) => void): void {
    // The first statement starts the thread and PGlite (a few hundred ms); SELECT 1 surfaces a data-directory error here.
    this.send({ op: 'query', sql: 'SELECT 1', params: [] }).then(
      () => cb(null, this, () => undefined),
      (err: Error) => cb(err, null, () => undefined),
    );
  }

  query(sql: string, params?: unknown[] | Callback<WorkerResult>, cb?: Callback<WorkerResult>): Promise<WorkerResult> {
    const callback = typeof params === 'function' ? params : cb;
    const values = Array.isArray(params) ? params : [];
    const p = this.send({ op: 'query', sql, params: values }).then((r) => r ?? { rows: [], rowCount: 0, fields: [] });
    if (callback) p.then((r) => callback(null, r), (e: Error) => callback(e));
    return p;
  }

  /** Closes PGlite (flushing its files) and stops the thread. */
  end(cb?: (err: Error | null) => void): Promise<void> {
    const done = (async () => {
      if (!this.worker || this.exited) return;
      await this.send({ op: 'close' });
      this.exited = Object.assign(new Error('the embedded database is closed'), { code: '58000' });
      await this.worker.terminate();
    })();
    if (cb) done.then(() => cb(null), (e: Error) => cb(e));
    return done;
  }
}

/**
 * The `driver` option of a TypeORM PostgreSQL DataSource for an embedded database in `dataDir`: TypeORM builds
 * its pool as `new driver.Pool(options)`, so the directory travels in the class.
 */
export function pgliteWorkerDriver(dataDir: string, slowStatementMs = 0): { Pool: new () => PgliteWorkerPool } {
  return {
    Pool: class extends PgliteWorkerPool {
      constructor() {
        super(dataDir, slowStatementMs);
      }
    },
  };
}
