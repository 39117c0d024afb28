import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Job deadlines and queue standing: `expires_at` (the caller's deadline) and `expired_at`, the `expired` status,
 * and the indexes behind what they need — the queued jobs due to expire; the queued jobs of a band by tenant (a
 * job's position); starts by time (a band's recent start rate, for the ETA); the jobs that ended without starting,
 * cancelled or expired (what a starting worker loads as tombstones), which replaces the cancelled-only index.
 */
export class ExpiryAndStanding1796200000000 implements MigrationInterface {
  readonly name = 'ExpiryAndStanding1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs ADD COLUMN expires_at timestamptz, ADD COLUMN expired_at timestamptz`);
    await queryRunner.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_status_check`);
    await queryRunner.query(
      `ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'expired'))`,
    );
    await queryRunner.query(`CREATE INDEX jobs_queued_expiry_idx ON jobs (expires_at) WHERE status = 'queued' AND expires_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX jobs_queued_band_idx ON jobs (priority, tenant_id, id) WHERE status = 'queued'`);
    await queryRunner.query(`CREATE INDEX jobs_started_at_idx ON jobs (started_at) WHERE started_at IS NOT NULL`);
    await queryRunner.query(`DROP INDEX jobs_cancelled_unstarted_idx`);
    await queryRunner.query(
      `CREATE INDEX jobs_ended_unstarted_idx ON jobs (COALESCE(expired_at, cancelled_at)) WHERE status IN ('cancelled', 'expired') AND started_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX jobs_ended_unstarted_idx`);
    await queryRunner.query(`CREATE INDEX jobs_cancelled_unstarted_idx ON jobs (cancelled_at) WHERE status = 'cancelled' AND started_at IS NULL`);
    await queryRunner.query(`DROP INDEX jobs_started_at_idx`);
    await queryRunner.query(`DROP INDEX jobs_queued_band_idx`);
    await queryRunner.query(`DROP INDEX jobs_queued_expiry_idx`);
    await queryRunner.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_status_check`);
    await queryRunner.query(`ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled'))`);
    await queryRunner.query(`ALTER TABLE jobs DROP COLUMN expired_at, DROP COLUMN expires_at`);
  }
}
