import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The jobs cancelled before they started, by when: what a starting worker loads as tombstones (their messages may
 * still wait in a band), with one index range scan instead of a pass over every cancelled job.
 */
export class CancelledUnstarted1796100000000 implements MigrationInterface {
  readonly name = 'CancelledUnstarted1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX jobs_cancelled_unstarted_idx ON jobs (cancelled_at) WHERE status = 'cancelled' AND started_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX jobs_cancelled_unstarted_idx`);
  }
}
