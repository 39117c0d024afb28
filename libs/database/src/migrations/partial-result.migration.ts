import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `jobs.partial_result`: what a job cancelled mid-generation had produced — its text so far and the usage
 * spent — kept apart from `result`, which only ever holds a finished completion.
 */
export class PartialResult1795800000000 implements MigrationInterface {
  readonly name = 'PartialResult1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs ADD COLUMN partial_result jsonb NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs DROP COLUMN partial_result`);
  }
}
