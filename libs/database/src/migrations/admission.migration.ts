import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admission control, shared by every gateway replica (docs/admission.md):
 * - `rate_buckets`: one token bucket per limit (a tenant's or a key's requests or tokens per minute). A check
 *   refills and charges every bucket of a request in one statement, under row locks taken in key order.
 * - `admission_reservations`: the tokens a running job was charged on its tokens-per-minute buckets, until a sweep
 *   reads its real usage from `usage_records` and credits the difference back.
 * - `idempotency_keys`: one row per (tenant, route, Idempotency-Key): the request's fingerprint, its job, a lease
 *   while the first request runs, then the answer to replay. Swept after `expires_at`.
 * - `tenant_limits`: the admin API's overrides of the configured limits, one document per tenant.
 */
export class Admission1796471100000 implements MigrationInterface {
  readonly name = 'Admission1796471100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE rate_buckets (
        key        text             PRIMARY KEY,
        tokens     double precision NOT NULL,
        capacity   double precision NOT NULL,
        per_second double precision NOT NULL,
        updated_at timestamptz      NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE admission_reservations (
        job_id           uuid        PRIMARY KEY,
        tenant_id        text        NOT NULL,
        bucket_keys      text[]      NOT NULL,
        estimated_tokens integer     NOT NULL,
        created_at       timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        tenant_id    text        NOT NULL,
        route        text        NOT NULL,
        key          text        NOT NULL,
        fingerprint  char(64)    NOT NULL,
        job_id       uuid        NOT NULL,
        state        text        NOT NULL
          CONSTRAINT idempotency_keys_state_check CHECK (state IN ('pending', 'done')),
        owner        uuid,
        locked_until timestamptz,
        response     text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, route, key)
      )`);
    // The sweep deletes expired keys oldest first.
    await queryRunner.query(`CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`);
    await queryRunner.query(`
      CREATE TABLE tenant_limits (
        tenant_id  text        PRIMARY KEY CONSTRAINT tenant_limits_tenant_id_fkey REFERENCES tenants (id) ON DELETE CASCADE,
        limits     jsonb       NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Replicas reload the overrides changed since their last look.
    await queryRunner.query(`CREATE INDEX tenant_limits_updated_at_idx ON tenant_limits (updated_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tenant_limits`);
    await queryRunner.query(`DROP TABLE idempotency_keys`);
    await queryRunner.query(`DROP TABLE admission_reservations`);
    await queryRunner.query(`DROP TABLE rate_buckets`);
  }
}
