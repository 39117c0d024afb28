import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createDataSource, type DatabaseConnectionOptions } from './data-source.factory';
import { JOB_STORE } from './job-store.port';
import { runMigrations } from './migrations.runner';
import { TENANT_KEY_STORE } from './tenant-key-store.port';
import { TypeOrmJobStore } from './typeorm-job.store';
import { TypeOrmTenantKeyStore } from './typeorm-tenant-key.store';
import { TypeOrmWebhookDeliveryStore } from './typeorm-webhook-delivery.store';
import { TypeOrmWebhookEndpointStore } from './typeorm-webhook-endpoint.store';
import { WEBHOOK_DELIVERY_STORE } from './webhook-delivery-store.port';
import { WEBHOOK_ENDPOINT_STORE } from './webhook-endpoint-store.port';

/** The initialized TypeORM DataSource, for code that needs more than the two stores (health checks, tests). */
export const DATA_SOURCE = Symbol('DATA_SOURCE');

export interface DatabaseModuleOptions extends DatabaseConnectionOptions {
  /** Apply pending migrations at start-up (under the advisory lock). Off when a separate `migrate` step runs them. */
  migrate: boolean;
}

const logger = new Logger('Database');

/** Connects before the app starts, so a process without its database fails at boot, not on the first request. */
async function openDataSource(options: DatabaseModuleOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  if (!options.migrate) return dataSource;
  try {
    const applied = await runMigrations(dataSource);
    for (const migration of applied) logger.log(`applied migration ${migration.name}`);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return dataSource;
}

/** PostgreSQL for a whole app: provides JOB_STORE, TENANT_KEY_STORE and DATA_SOURCE, and closes the pool on shutdown. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATA_SOURCE, useFactory: () => openDataSource(options) },
        { provide: JOB_STORE, useFactory: (ds: DataSource) => new TypeOrmJobStore(ds), inject: [DATA_SOURCE] },
        { provide: TENANT_KEY_STORE, useFactory: (ds: DataSource) => new TypeOrmTenantKeyStore(ds), inject: [DATA_SOURCE] },
        { provide: WEBHOOK_ENDPOINT_STORE, useFactory: (ds: DataSource) => new TypeOrmWebhookEndpointStore(ds), inject: [DATA_SOURCE] },
        { provide: WEBHOOK_DELIVERY_STORE, useFactory: (ds: DataSource) => new TypeOrmWebhookDeliveryStore(ds), inject: [DATA_SOURCE] },
      ],
      exports: [DATA_SOURCE, JOB_STORE, TENANT_KEY_STORE, WEBHOOK_ENDPOINT_STORE, WEBHOOK_DELIVERY_STORE],
    };
  }

  /** Last of the shutdown hooks, so consumers draining in onModuleDestroy can still write. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
