import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How a job was batched by the inference worker (null for a job that ran on its own): `batch_id`, shared by the
 * jobs of one batch; `batch_mode` (`combined`: one provider call for the batch, its reply split by index;
 * `concurrent`: one call per job, started together); `batch_size`, the jobs in the batch; `batch_index`, the job's
 * number in the combined prompt; `batch_fallback`, true when the combined reply could not be split for this job
 * and it was answered by a call of its own. The index serves per-batch counts (analytics).
 */
export class JobBatches1796510000000 implements MigrationInterface {
  readonly name = 'JobBatches1796510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE jobs ADD COLUMN batch_id uuid NULL, ADD COLUMN batch_mode text NULL CHECK (batch_mode IN ('combined', 'concurrent')),
         ADD COLUMN batch_size smallint NULL, ADD COLUMN batch_index smallint NULL, ADD COLUMN batch_fallback boolean NULL`,
    );
    await queryRunner.query(`CREATE INDEX jobs_batch_idx ON jobs (tenant_id, batch_id) WHERE batch_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX jobs_batch_idx`);
    await queryRunner.query(
      `ALTER TABLE jobs DROP COLUMN batch_fallback, DROP COLUMN batch_index, DROP COLUMN batch_size, DROP COLUMN batch_mode, DROP COLUMN batch_id`,
    );
  }
}
