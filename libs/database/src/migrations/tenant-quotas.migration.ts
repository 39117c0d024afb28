import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-tenant caps that every replica must see alike: `stream_leases` holds one row per open stream (SSE), renewed
 * by the replica serving it, so the rows of a replica that died expire on their own; `tenant_rate_windows` counts
 * an action (manual webhook replays) per tenant per fixed window.
 */
export class TenantQuotas1796300000000 implements MigrationInterface {
  readonly name = 'TenantQuotas1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stream_leases (
        id          uuid        PRIMARY KEY,
        tenant_id   text        NOT NULL,
        holder      text        NOT NULL,
        expires_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX stream_leases_tenant_id_idx ON stream_leases (tenant_id, expires_at)`);
    await queryRunner.query(`
      CREATE TABLE tenant_rate_windows (
        tenant_id    text        NOT NULL,
        action       text        NOT NULL,
        window_start timestamptz NOT NULL,
        count        integer     NOT NULL,
        PRIMARY KEY (tenant_id, action, window_start)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tenant_rate_windows`);
    await queryRunner.query(`DROP TABLE stream_leases`);
  }
}
