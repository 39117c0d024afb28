import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `jobs.attempts_log`: every provider call of the delivery that finished a job (deployment, outcome, latency,
 * error), written with the terminal event. NOT NULL with a default, so existing rows read as "no calls
 * recorded" and the column is added without rewriting the table (PostgreSQL 11+ stores the default once).
 */
export class AttemptsLog1795600000000 implements MigrationInterface {
  readonly name = 'AttemptsLog1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs ADD COLUMN attempts_log jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE jobs DROP COLUMN attempts_log`);
  }
}
