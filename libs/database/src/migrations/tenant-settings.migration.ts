import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants' own settings (`/v1/settings`): per band, the token cap and latency target (`tenant_settings`, one jsonb
 * document per tenant), and the provider keys a tenant brings for a deployment (`tenant_provider_keys`), stored
 * sealed (AES-256-GCM) with the key's last four characters beside it, so it can be shown masked without opening it.
 */
export class TenantSettings1796520000000 implements MigrationInterface {
  readonly name = 'TenantSettings1796520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE tenant_settings (
        tenant_id  text        PRIMARY KEY CONSTRAINT tenant_settings_tenant_id_fkey REFERENCES tenants (id) ON DELETE CASCADE,
        bands      jsonb       NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE tenant_provider_keys (
        tenant_id  text        NOT NULL CONSTRAINT tenant_provider_keys_tenant_id_fkey REFERENCES tenants (id) ON DELETE CASCADE,
        deployment text        NOT NULL,
        sealed_key text        NOT NULL,
        key_last4  text        NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, deployment)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tenant_provider_keys`);
    await queryRunner.query(`DROP TABLE tenant_settings`);
  }
}
