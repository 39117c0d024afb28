import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants, hashed API keys and jobs. Written by hand (not generated) so the CHECK constraints, the
 * DESC and partial indexes are exactly what the stores' queries need. Plain PostgreSQL 13+ only:
 * the same statements run on the embedded PGlite.
 */
export class InitialSchema1795438500000 implements MigrationInterface {
  readonly name = 'InitialSchema1795438500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenants (
        id         text        PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        key_hash   char(64)    NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
        tenant_id  text        NOT NULL CONSTRAINT api_keys_tenant_id_fkey REFERENCES tenants (id),
        label      text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    // Backs the foreign key, so deleting a tenant does not scan every key.
    await queryRunner.query(`CREATE INDEX api_keys_tenant_id_idx ON api_keys (tenant_id)`);
    await queryRunner.query(`
      CREATE TABLE jobs (
        id           uuid        PRIMARY KEY,
        tenant_id    text        NOT NULL,
        status       text        NOT NULL DEFAULT 'queued'
          CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        model        text        NOT NULL,
        priority     text        NOT NULL
          CONSTRAINT jobs_priority_check CHECK (priority IN ('high', 'normal', 'low')),
        messages     jsonb       NOT NULL,
        params       jsonb       NOT NULL DEFAULT '{}'::jsonb,
        metadata     jsonb       NOT NULL DEFAULT '{}'::jsonb,
        trace_id     text,
        result       jsonb,
        error        jsonb,
        attempts     integer     NOT NULL DEFAULT 0,
        worker_id    text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        started_at   timestamptz,
        completed_at timestamptz,
        failed_at    timestamptz,
        cancelled_at timestamptz
      )`);
    // A tenant's jobs newest first, with or without a status filter: both are index range scans.
    await queryRunner.query(`CREATE INDEX jobs_tenant_id_id_idx ON jobs (tenant_id, id DESC)`);
    await queryRunner.query(`CREATE INDEX jobs_tenant_id_status_id_idx ON jobs (tenant_id, status, id DESC)`);
    // Unfinished jobs oldest first (start-up recovery): small, as almost every job ends terminal.
    await queryRunner.query(`CREATE INDEX jobs_unfinished_idx ON jobs (id) WHERE status IN ('queued', 'running')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE jobs`);
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE tenants`);
  }
}
