import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createDataSource, type DatabaseConnectionOptions } from './data-source.factory';
import { JOB_CHUNK_STORE } from './job-chunk-store.port';
import { JOB_STORE } from './job-store.port';
import { runMigrations } from './migrations.runner';
import { TENANT_KEY_STORE } from './tenant-key-store.port';
import { TypeOrmJobChunkStore } from './typeorm-job-chunk.store';
import { TypeOrmJobStore } from './typeorm-job.store';
import { TypeOrmTenantKeyStore } from './typeorm-tenant-key.store';
import { TypeOrmUsageStore } from './typeorm-usage.store';
import { TypeOrmWebhookDeliveryStore } from './typeorm-webhook-delivery.store';
import { TypeOrmWebhookEndpointStore } from './typeorm-webhook-endpoint.store';
import { USAGE_STORE } from './usage-store.port';
import { WEBHOOK_DELIVERY_STORE } from './webhook-delivery-store.port';
import { WEBHOOK_ENDPOINT_STORE } from './webhook-endpoint-store.port';

/** The initialized TypeORM DataSource, for code that needs more than the two stores (health checks, tests). */
export const DATA_SOURCE = Symbol('DATA_SOURCE');

export interface DatabaseModuleOptions extends DatabaseConnectionOptions {
  /** Apply pending migrations at start-up (under the advisory lock). Off when a separate `migrate` step runs them. */
  migrate: boolean;
  /**
   * Share one pool with every other app of this process that names the same URL (the embedded mode). PGlite's
   * socket server interleaves concurrent statements of different connections, so there it must be one pool of one.
   */
  share?: boolean;
}

/** Pools shared by the apps of one process, by URL, closed when the last app using one shuts down. */
const shared = new Map<string, { dataSource: Promise<DataSource>; users: number }>();

const logger = new Logger('Database');
const SHARED_URL = Symbol('DATABASE_SHARED_URL');

function acquireShared(options: DatabaseModuleOptions): Promise<DataSource> {
  let entry = shared.get(options.url);
  if (!entry) {
    entry = { dataSource: openDataSource(options), users: 0 };
    shared.set(options.url, entry);
    entry.dataSource.catch(() => shared.delete(options.url));
  }
  entry.users += 1;
  return entry.dataSource;
}

/** True when the caller was the pool's last user and should close it. */
function releaseShared(url: string): boolean {
  const entry = shared.get(url);
  if (!entry) return true;
  entry.users -= 1;
  if (entry.users > 0) return false;
  shared.delete(url);
  return true;
}

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
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SHARED_URL) private readonly sharedUrl: string | null,
  ) {}

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATA_SOURCE, useFactory: () => (options.share ? acquireShared(options) : openDataSource(options)) },
        { provide: SHARED_URL, useValue: options.share ? options.url : null },
        { provide: JOB_STORE, useFactory: (ds: DataSource) => new TypeOrmJobStore(ds), inject: [DATA_SOURCE] },
        { provide: TENANT_KEY_STORE, useFactory: (ds: DataSource) => new TypeOrmTenantKeyStore(ds), inject: [DATA_SOURCE] },
        { provide: WEBHOOK_ENDPOINT_STORE, useFactory: (ds: DataSource) => new TypeOrmWebhookEndpointStore(ds), inject: [DATA_SOURCE] },
        { provide: WEBHOOK_DELIVERY_STORE, useFactory: (ds: DataSource) => new TypeOrmWebhookDeliveryStore(ds), inject: [DATA_SOURCE] },
        { provide: USAGE_STORE, useFactory: (ds: DataSource) => new TypeOrmUsageStore(ds), inject: [DATA_SOURCE] },
        { provide: JOB_CHUNK_STORE, useFactory: (ds: DataSource) => new TypeOrmJobChunkStore(ds), inject: [DATA_SOURCE] },
      ],
      exports: [DATA_SOURCE, JOB_STORE, TENANT_KEY_STORE, WEBHOOK_ENDPOINT_STORE, WEBHOOK_DELIVERY_STORE, USAGE_STORE, JOB_CHUNK_STORE],
    };
  }

  /** Last of the shutdown hooks, so consumers draining in onModuleDestroy can still write. */
  async onApplicationShutdown(): Promise<void> {
    if (this.sharedUrl !== null && !releaseShared(this.sharedUrl)) return;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
