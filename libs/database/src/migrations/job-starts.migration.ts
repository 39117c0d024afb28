import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many times each job started. A worker holds more job messages than it runs, and one that is killed returns
 * them all to the broker, each charged a delivery; so the crash-loop limit (JOB_MAX_DELIVERIES) counts starts, and
 * a redelivered job that started that often without finishing is dead-lettered instead of run again.
 */
export class JobStarts1796400000000 implements MigrationInterface {
  readonly name = 'JobStarts1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs ADD COLUMN starts integer NOT NULL DEFAULT 0`);
    // Rows from before: each attempt recorded was a start.
    await queryRunner.query(`UPDATE jobs SET starts = attempts WHERE attempts > 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs DROP COLUMN starts`);
  }
}
