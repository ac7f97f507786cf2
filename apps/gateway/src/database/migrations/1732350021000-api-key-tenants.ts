import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every API key belongs to a tenant (issue #18): keys made before tenants existed, and the bootstrap
 * admin key, are `default`'s. The slug rule is the one of libs/contracts TENANT_PATTERN.
 */
export class ApiKeyTenants1732350021000 implements MigrationInterface {
  name = 'ApiKeyTenants1732350021000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN tenant text NOT NULL DEFAULT 'default' CONSTRAINT api_keys_tenant_slug CHECK (tenant ~ '^[a-z0-9][a-z0-9-]{0,62}$')`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN tenant`);
  }
}
