import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the broker confirmed a job's message (`enqueued_at`, set by the gateway after the confirm). A queued job
 * without it, older than a bound, is an orphan: its gateway died between committing the row and the confirm, and
 * the sweeper re-publishes it. Rows from before count as enqueued; the default applies to them only (a constant
 * per statement, so adding the column rewrites nothing), and new rows start without one.
 */
export class JobEnqueued1796530000000 implements MigrationInterface {
  readonly name = 'JobEnqueued1796530000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs ADD COLUMN enqueued_at timestamptz DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE jobs ALTER COLUMN enqueued_at DROP DEFAULT`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs DROP COLUMN enqueued_at`);
  }
}
