import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `usage_records`: one row per job whose tokens count — a completed job, or one cancelled mid-generation with
 * partial usage — keyed by the job, so a redelivered event can never count a job twice. Totals per tenant and
 * model are sums over these rows, which is what lets `GET /v1/usage` answer any `since`/`until` window (a table
 * of running totals could not). No foreign key to `jobs`: usage is a record of what was spent and must outlive
 * any later clean-up of old jobs.
 */
export class UsageRecords1795900000000 implements MigrationInterface {
  readonly name = 'UsageRecords1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE usage_records (
        job_id            uuid        PRIMARY KEY,
        tenant_id         text        NOT NULL,
        model             text        NOT NULL,
        outcome           text        NOT NULL
          CONSTRAINT usage_records_outcome_check CHECK (outcome IN ('completed', 'cancelled')),
        prompt_tokens     integer     NOT NULL,
        completion_tokens integer     NOT NULL,
        total_tokens      integer     NOT NULL,
        estimated         boolean     NOT NULL,
        recorded_at       timestamptz NOT NULL
      )`);
    // A tenant's records in a time window: the only query that reads the table.
    await queryRunner.query(`CREATE INDEX usage_records_tenant_id_recorded_at_idx ON usage_records (tenant_id, recorded_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE usage_records`);
  }
}
