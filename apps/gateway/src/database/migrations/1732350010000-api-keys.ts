import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * api_keys (gateway owns and writes; every service reads it to authenticate requests, sharing the
 * database): one row per API key, its SHA-256 digest only (never the key), scopes and revocation.
 */
export class ApiKeys1732350010000 implements MigrationInterface {
  name = 'ApiKeys1732350010000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE api_keys (
      key_id text PRIMARY KEY,
      digest text NOT NULL,
      name text NOT NULL,
      scopes text[] NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
  }
}
