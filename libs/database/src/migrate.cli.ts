import { loadConfig } from '@conveyor/config';
import { createDataSource } from './data-source.factory';
import { runMigrations } from './migrations.runner';

/**
 * `node dist/libs/database/src/migrate.cli.js`: applies pending migrations to DATABASE_URL and exits.
 * For deployments that migrate in a release step and start services with DATABASE_MIGRATE=false.
 */
async function main(): Promise<void> {
  const { database } = loadConfig(process.env, { require: ['database'] });
  // loadConfig has already refused a missing DATABASE_URL; this narrows the type.
  if (!database.url) throw new Error('DATABASE_URL is required');
  const dataSource = createDataSource({ url: database.url, poolSize: 1 });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    if (applied.length === 0) console.log('migrate: schema is up to date');
    for (const migration of applied) console.log(`migrate: applied ${migration.name}`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err: unknown) => {
  // The message only: pg errors name host and user, never the password; the URL itself is not printed.
  console.error(`migrate: failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
