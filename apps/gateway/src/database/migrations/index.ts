import type { MigrationClass } from '@kairos/persistence';
import { ApiKeys1732350010000 } from './1732350010000-api-keys';
import { ApiKeyTenants1732350021000 } from './1732350021000-api-key-tenants';
import { TenantQuotas1732350021200 } from './1732350021200-tenant-quotas';

/** The gateway's own migrations (tables it owns; docs/architecture.md lists every table's owner). */
export const GATEWAY_OWN_MIGRATIONS: MigrationClass[] = [ApiKeys1732350010000, ApiKeyTenants1732350021000, TenantQuotas1732350021200];
