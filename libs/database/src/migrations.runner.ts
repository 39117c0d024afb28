import { MigrationExecutor, type DataSource, type Migration } from 'typeorm';

/** The advisory lock key every Conveyor process takes around migrations (an arbitrary, fixed 64-bit number). */
export const MIGRATION_LOCK_KEY = '7316120501';

/**
 * Applies pending migrations, each in its own transaction, under a session-level advisory lock so several
 * replicas starting at once run them one after the other: the first applies them, the rest find nothing
 * pending. The lock and the migrations share one connection, so this works with a pool of one.
 * Answers the migrations it applied.
 */
export async function runMigrations(dataSource: DataSource): Promise<Migration[]> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, queryRunner);
      executor.transaction = 'each';
      return await executor.executePendingMigrations();
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await queryRunner.release();
  }
}
