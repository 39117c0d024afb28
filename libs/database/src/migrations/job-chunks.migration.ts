import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `job_chunks`: the text chunks (`job.delta`) of each job, so a stream subscriber who arrives late or resumes
 * can replay what was already sent. Keyed by (job, attempt, seq): a redelivered chunk inserts nothing. Chunks
 * are best effort (transient messages); the job's `result` is the source of truth once it ends. No foreign key
 * to `jobs`: a chunk may be written before its job's `started` event is applied, and rows are cheap to sweep.
 */
export class JobChunks1796000000000 implements MigrationInterface {
  readonly name = 'JobChunks1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE job_chunks (
        job_id     uuid        NOT NULL,
        attempt    integer     NOT NULL,
        seq        integer     NOT NULL,
        content    text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job_id, attempt, seq)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE job_chunks`);
  }
}
