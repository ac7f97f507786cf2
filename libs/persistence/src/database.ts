import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { EmbeddedVacuum } from './embedded-vacuum';
import { pgliteWorkerDriver } from './pglite-worker.pool';
import { classifyStorageFailure, StorageHealth } from './storage-failure';

export const DATABASE = Symbol('DATABASE');

export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface DatabaseOptions {
  /** postgres://… for a server; undefined for embedded PGlite in dataDir (run in a worker thread). */
  url?: string;
  dataDir: string;
  migrations: Array<new () => MigrationInterface>;
  poolSize?: number;
  /**
   * Embedded only: ms between two steps of the embedded vacuum (each one `VACUUM (ANALYZE)` of one table, see
   * `EmbeddedVacuum`); 0 turns it off. PGlite runs PostgreSQL in single-user mode, where autovacuum never runs.
   */
  vacuumEveryMs?: number;
  /** Embedded only: statements slower than this many ms are written to stderr; 0 = off. */
  slowStatementMs?: number;
}

/** A small async mutex: PGlite has one connection, so transactions must not interleave on it. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * The one way services touch PostgreSQL: TypeORM's DataSource (pg pool, or PGlite in a worker thread
 * through PgliteWorkerPool) for connections and migrations, and plain parameterised SQL for the hot paths
 * that need `FOR UPDATE SKIP LOCKED` and RETURNING.
 */
export class Database implements SqlExecutor {
  readonly embedded: boolean;
  /** Storage failures seen by this process's statements (disk full, server unreachable), for /health. */
  readonly storage = new StorageHealth();
  private readonly lock: Mutex | null;
  private vacuumTimer: ReturnType<typeof setInterval> | null = null;

  private constructor(
    readonly dataSource: DataSource,
    embedded: boolean,
  ) {
    this.embedded = embedded;
    this.lock = embedded ? new Mutex() : null;
  }

  static async open(opts: DatabaseOptions): Promise<Database> {
    const common = {
      type: 'postgres' as const,
      synchronize: false,
      migrationsRun: false,
      migrations: opts.migrations,
      migrationsTableName: 'kairos_migrations',
      logging: false,
    };
    let ds: DataSource;
    if (opts.url) {
      // A connect that cannot complete fails after 5 s (a storage failure: 503) instead of holding requests forever.
      ds = new DataSource({ ...common, url: opts.url, extra: { max: opts.poolSize ?? 10, connectionTimeoutMillis: 5_000 } });
    } else {
      const dir = resolve(opts.dataDir, 'pglite');
      mkdirSync(dir, { recursive: true });
      // PGlite in its own thread (pglite-worker.pool.ts), so statements never hold up this thread's event loop.
      ds = new DataSource({ ...common, driver: pgliteWorkerDriver(dir, opts.slowStatementMs ?? 0) });
    }
    await ds.initialize();
    const db = new Database(ds, !opts.url);
    await db.migrate();
    if (!opts.url && (opts.vacuumEveryMs ?? 0) > 0) db.startVacuum(opts.vacuumEveryMs as number);
    return db;
  }

  /** pg pool connections (total, idle, waiting clients); null for the embedded database, which has no pool. */
  poolStats(): { total: number; idle: number; waiting: number } | null {
    if (this.embedded) return null;
    const pool = (this.dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
    return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
  }

  /** Embedded: one `EmbeddedVacuum` step every `everyMs`, queued behind the statements before it (the mutex). */
  private startVacuum(everyMs: number): void {
    const vacuum = new EmbeddedVacuum(this);
    let running = false;
    this.vacuumTimer = setInterval(() => {
      if (running) return;
      running = true;
      // A failed step (a table dropped meanwhile, the database closing) is retried with the next table.
      vacuum.runStep().catch(() => undefined).finally(() => (running = false));
    }, everyMs);
    this.vacuumTimer.unref();
  }

  /** Runs pending migrations; an advisory lock keeps replicas booting together from racing. */
  private async migrate(): Promise<void> {
    if (this.embedded) {
      await this.dataSource.runMigrations({ transaction: 'each' });
      return;
    }
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(727274)');
      await this.dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
      await runner.release();
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const run = async () => {
      const qr = this.dataSource.createQueryRunner();
      try {
        return await structured<T>(qr, sql, params);
      } finally {
        await qr.release();
      }
    };
    return this.watch(this.lock ? this.lock.run(run) : run());
  }

  /** Notes storage failures and successes (for /health); passes results and errors on unchanged. */
  private async watch<T>(p: Promise<T>): Promise<T> {
    try {
      const result = await p;
      this.storage.succeeded();
      return result;
    } catch (err) {
      const f = classifyStorageFailure(err);
      if (f) this.storage.failed(f);
      throw err;
    }
  }

  /** Runs fn in one transaction; commits if it resolves, rolls back if it throws. */
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const run = async () => {
      const qr: QueryRunner = this.dataSource.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      try {
        const result = await fn({ query: <R>(sql: string, params: unknown[] = []) => structured<R>(qr, sql, params) });
        await qr.commitTransaction();
        return result;
      } catch (e) {
        await qr.rollbackTransaction().catch(() => undefined);
        throw e;
      } finally {
        await qr.release();
      }
    };
    return this.watch(this.lock ? this.lock.run(run) : run());
  }

  /** One round trip (health checks). */
  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.vacuumTimer) clearInterval(this.vacuumTimer);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** TypeORM returns [rows, count] for UPDATE/DELETE; the structured result is rows for every statement. */
async function structured<T>(qr: QueryRunner, sql: string, params: unknown[]): Promise<T[]> {
  const result = await qr.query(sql, params, true);
  return (result.records ?? []) as T[];
}
