import type { MigrationClass } from '@kairos/persistence';
import { ApiKeys1732350010000 } from './1732350010000-api-keys';

/** The gateway's own migrations (tables it owns; docs/architecture.md lists every table's owner). */
export const GATEWAY_OWN_MIGRATIONS: MigrationClass[] = [ApiKeys1732350010000];
