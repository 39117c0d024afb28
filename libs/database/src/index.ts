export * from './job-store.port';
export * from './tenant-key-store.port';
export { createDataSource, type DatabaseConnectionOptions } from './data-source.factory';
export { runMigrations, MIGRATION_LOCK_KEY } from './migrations.runner';
export { TypeOrmJobStore } from './typeorm-job.store';
export { TypeOrmTenantKeyStore } from './typeorm-tenant-key.store';
export { DatabaseModule, DATA_SOURCE, type DatabaseModuleOptions } from './database.module';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
