import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: a job's own `callback_url` (and its sealed signing secret), tenants' webhook endpoints,
 * and one row per delivery. `webhook_deliveries_once` makes a delivery unique per (target, job, event), so a
 * terminal event the broker delivers twice still produces one logical delivery; the lock columns let exactly
 * one consumer attempt it at a time, and a consumer killed mid-attempt leaves a lock that simply expires.
 */
export class Webhooks1795700000000 implements MigrationInterface {
  readonly name = 'Webhooks1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs ADD COLUMN callback_url text, ADD COLUMN callback_secret text`);
    await queryRunner.query(`
      CREATE TABLE webhook_endpoints (
        id              uuid        PRIMARY KEY,
        tenant_id       text        NOT NULL,
        url             text        NOT NULL,
        description     text        NOT NULL DEFAULT '',
        event_types     text[]      NOT NULL,
        secret          text        NOT NULL,
        enabled         boolean     NOT NULL DEFAULT true,
        disabled_reason text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX webhook_endpoints_tenant_id_id_idx ON webhook_endpoints (tenant_id, id DESC)`);
    await queryRunner.query(`
      CREATE TABLE webhook_deliveries (
        id              uuid        PRIMARY KEY,
        tenant_id       text        NOT NULL,
        endpoint_id     uuid        CONSTRAINT webhook_deliveries_endpoint_id_fkey REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        target          text        NOT NULL,
        callback_url    text,
        callback_secret text,
        job_id          uuid        NOT NULL,
        event_type      text        NOT NULL,
        webhook_id      text        NOT NULL,
        payload         text        NOT NULL,
        status          text        NOT NULL DEFAULT 'pending'
          CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'succeeded', 'dead')),
        attempts        integer     NOT NULL DEFAULT 0,
        schedule_base   integer     NOT NULL DEFAULT 0,
        attempt_log     jsonb       NOT NULL DEFAULT '[]'::jsonb,
        next_attempt_at timestamptz,
        lock_token      uuid,
        locked_until    timestamptz,
        dispatched_at   timestamptz,
        dead_reason     text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_once UNIQUE (target, job_id, event_type)
      )`);
    // An endpoint's deliveries newest first (the delivery history), and the fanout's lookup by job event.
    await queryRunner.query(`CREATE INDEX webhook_deliveries_endpoint_id_id_idx ON webhook_deliveries (endpoint_id, id DESC)`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_job_id_idx ON webhook_deliveries (job_id, event_type)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_deliveries`);
    await queryRunner.query(`DROP TABLE webhook_endpoints`);
    await queryRunner.query(`ALTER TABLE jobs DROP COLUMN callback_url, DROP COLUMN callback_secret`);
  }
}
