import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin API (docs/admin.md):
 * - `tenants.disabled_at`: a disabled tenant's keys are refused; its accepted jobs run on.
 * - `api_keys`: keys the API creates (`source = 'api'`, with an optional name) beside the configured ones, and when
 *   each was last used (written at most once a minute per key and replica, never per request).
 * - `admin_audit`: every change an admin key made, by the key's id (never the key), with its target.
 * - `dead_letters`: the dead-lettered job messages the persistence service took from its dead-letter queue, with
 *   the reason and the original headers, until an admin replays or discards them. One row per message id, so a
 *   redelivered dead letter is recorded once.
 */
export class AdminApi1796540000000 implements MigrationInterface {
  readonly name = 'AdminApi1796540000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE tenants ADD COLUMN disabled_at timestamptz`);
    await queryRunner.query(`
      ALTER TABLE api_keys
        ADD COLUMN name         text,
        ADD COLUMN source       text        NOT NULL DEFAULT 'config' CONSTRAINT api_keys_source_check CHECK (source IN ('config', 'api')),
        ADD COLUMN last_used_at timestamptz`);
    await queryRunner.query(`
      CREATE TABLE admin_audit (
        id          uuid        PRIMARY KEY,
        at          timestamptz NOT NULL DEFAULT now(),
        admin_id    text        NOT NULL,
        action      text        NOT NULL,
        target_type text        NOT NULL,
        target_id   text        NOT NULL,
        details     jsonb       NOT NULL DEFAULT '{}'::jsonb
      )`);
    // The log filtered by action or by target, newest first.
    await queryRunner.query(`CREATE INDEX admin_audit_action_id_idx ON admin_audit (action, id DESC)`);
    await queryRunner.query(`CREATE INDEX admin_audit_target_id_id_idx ON admin_audit (target_id, id DESC)`);
    await queryRunner.query(`
      CREATE TABLE dead_letters (
        id           uuid        PRIMARY KEY,
        message_id   text        CONSTRAINT dead_letters_message_id_key UNIQUE,
        job_id       uuid        NOT NULL,
        tenant_id    text        NOT NULL,
        type         text        NOT NULL,
        priority     text        NOT NULL,
        source_queue text,
        reason       text        NOT NULL,
        headers      jsonb       NOT NULL,
        payload      jsonb       NOT NULL,
        state        text        NOT NULL DEFAULT 'dead'
          CONSTRAINT dead_letters_state_check CHECK (state IN ('dead', 'replayed', 'discarded')),
        dead_at      timestamptz NOT NULL DEFAULT now(),
        settled_at   timestamptz,
        settled_by   text
      )`);
    await queryRunner.query(`CREATE INDEX dead_letters_state_id_idx ON dead_letters (state, id DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dead_letters`);
    await queryRunner.query(`DROP TABLE admin_audit`);
    await queryRunner.query(`ALTER TABLE api_keys DROP COLUMN last_used_at, DROP COLUMN source, DROP COLUMN name`);
    await queryRunner.query(`ALTER TABLE tenants DROP COLUMN disabled_at`);
  }
}
