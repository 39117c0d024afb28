import { loadConfig } from '@conveyor/config';
import { PinoNestLogger } from '@conveyor/telemetry';
import { createDataSource } from './data-source.factory';
import { runMigrations } from './migrations.runner';

// Until the settings are valid, lines follow the terminal (text on one, JSON lines otherwise), as the services' do.
let logger = new PinoNestLogger({ service: 'migrate', level: 'log', format: 'auto' });

/**
 * `node dist/libs/database/src/migrate.cli.js`: applies pending migrations to DATABASE_URL and exits.
 * For deployments that migrate in a release step and start services with DATABASE_MIGRATE=false.
 */
async function main(): Promise<void> {
  const { database, logLevel, logFormat } = loadConfig(process.env, { require: ['database'] });
  logger = new PinoNestLogger({ service: 'migrate', level: logLevel, format: logFormat });
  // loadConfig has already refused a missing DATABASE_URL; this narrows the type.
  if (!database.url) throw new Error('DATABASE_URL is required');
  const dataSource = createDataSource({ url: database.url, poolSize: 1 });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    if (applied.length === 0) logger.announce('schema is up to date', 'Migrate');
    for (const migration of applied) logger.announce(`applied ${migration.name}`, 'Migrate');
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err: unknown) => {
  // The message only: pg errors name host and user, never the password; the URL itself is not printed.
  logger.fatal(`failed: ${err instanceof Error ? err.message : String(err)}`, 'Migrate');
  process.exitCode = 1;
});
