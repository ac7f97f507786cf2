import type { MigrationInterface } from 'typeorm';
import { CreateOutbox1732350000000 } from '../outbox';
import { CoreTables1732350001000 } from './1732350001000-core-tables';
import { EventLog1732350002000 } from './1732350002000-event-log';
import { TaskTenant1732350021050 } from './1732350021050-task-tenant';

export type MigrationClass = new () => MigrationInterface;

/**
 * The baseline every service runs: the outbox (shared infrastructure, one producer per row) and the two
 * migrations that landed before tables had one owner each and create tables of several apps
 * (CoreTables: executor, collector and analyzer tables; EventLog: the collector's event_log and the
 * gateway's dead_letters). Their names are recorded in existing databases, so they cannot be split;
 * they stay here, frozen. Every later migration lives with the app that owns its tables
 * (apps/<app>/src/database/migrations), and docs/architecture.md lists the owner of every table —
 * except columns of the baseline's own `tasks` table that every writer of it needs whatever the start
 * order (TaskTenant: the gateway writes `tenant` on every submission, before any executor may have run).
 */
export const BASELINE_MIGRATIONS: readonly MigrationClass[] = [CreateOutbox1732350000000, CoreTables1732350001000, EventLog1732350002000, TaskTenant1732350021050];

/** A process's migrations: the baseline plus the given apps' own (TypeORM runs them in timestamp order). */
export function withBaseline(...own: ReadonlyArray<readonly MigrationClass[]>): MigrationClass[] {
  return [...new Set([...BASELINE_MIGRATIONS, ...own.flat()])];
}
