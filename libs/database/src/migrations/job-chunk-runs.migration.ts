import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `job_chunks.following`: one row holds a run of a job's consecutive chunks, so chunks are stored at a coarser
 * grain than they are relayed. A row covers seqs `seq` … `seq + cardinality(following)`: `content` stays the run's
 * first chunk (so a restart is still told by comparing seq 0's text) and `following` holds the texts after it, in
 * seq order (NULL for a run of one, as every row written before this migration is). Adding a nullable column
 * rewrites nothing.
 */
export class JobChunkRuns1796550000000 implements MigrationInterface {
  readonly name = 'JobChunkRuns1796550000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE job_chunks ADD COLUMN following text[]`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE job_chunks DROP COLUMN following`);
  }
}
