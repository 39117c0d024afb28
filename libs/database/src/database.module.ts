import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createDataSource, type DatabaseConnectionOptions } from './data-source.factory';
import { IDEMPOTENCY_STORE } from './idempotency-store.port';
import { JOB_CHUNK_STORE } from './job-chunk-store.port';
import { JOB_STATS_STORE } from './job-stats-store.port';
import { JOB_STORE } from './job-store.port';
import { runMigrations } from './migrations.runner';
import { PostgresClient } from './postgres.client';
import { PostgresIdempotencyStore } from './postgres-idempotency.store';
import { PostgresJobChunkStore } from './postgres-job-chunk.store';
import { PostgresJobStatsStore } from './postgres-job-stats.store';
import { PostgresJobStore } from './postgres-job.store';
import { PostgresRateBucketStore } from './postgres-rate-bucket.store';
import { PostgresTenantKeyStore } from './postgres-tenant-key.store';
import { PostgresTenantQuotaStore } from './postgres-tenant-quota.store';
import { PostgresTenantLimitsStore } from './postgres-tenant-limits.store';
import { PostgresTenantSettingsStore } from './postgres-tenant-settings.store';
import { PostgresUsageStore } from './postgres-usage.store';
import { PostgresAdminAuditStore } from './postgres-admin-audit.store';
import { PostgresDeadLetterStore } from './postgres-dead-letter.store';
import { PostgresTenantAdminStore } from './postgres-tenant-admin.store';
import { ADMIN_AUDIT_STORE } from './admin-audit-store.port';
import { DEAD_LETTER_STORE } from './dead-letter-store.port';
import { TENANT_ADMIN_STORE } from './tenant-admin-store.port';
import { PostgresWebhookDeliveryStore } from './postgres-webhook-delivery.store';
import { PostgresWebhookEndpointStore } from './postgres-webhook-endpoint.store';
import { RATE_BUCKET_STORE } from './rate-bucket-store.port';
import { TENANT_KEY_STORE } from './tenant-key-store.port';
import { TENANT_QUOTA_STORE } from './tenant-quota-store.port';
import { TENANT_LIMITS_STORE } from './tenant-limits-store.port';
import { TENANT_SETTINGS_STORE } from './tenant-settings-store.port';
import { USAGE_STORE } from './usage-store.port';
import { WEBHOOK_DELIVERY_STORE } from './webhook-delivery-store.port';
import { WEBHOOK_ENDPOINT_STORE } from './webhook-endpoint-store.port';

/** The initialized TypeORM DataSource, for code that needs the connection itself (tests). */
export const DATA_SOURCE = Symbol('DATA_SOURCE');

export interface DatabaseModuleOptions extends DatabaseConnectionOptions {
  /** Apply pending migrations at start-up (under the advisory lock). Off when a separate `migrate` step runs them. */
  migrate: boolean;
}

/** Every store a feature module may ask for, by its port's token. */
const STORES = {
  [JOB_STORE]: PostgresJobStore,
  [JOB_CHUNK_STORE]: PostgresJobChunkStore,
  [JOB_STATS_STORE]: PostgresJobStatsStore,
  [TENANT_KEY_STORE]: PostgresTenantKeyStore,
  [USAGE_STORE]: PostgresUsageStore,
  [WEBHOOK_ENDPOINT_STORE]: PostgresWebhookEndpointStore,
  [WEBHOOK_DELIVERY_STORE]: PostgresWebhookDeliveryStore,
  [TENANT_QUOTA_STORE]: PostgresTenantQuotaStore,
  [RATE_BUCKET_STORE]: PostgresRateBucketStore,
  [IDEMPOTENCY_STORE]: PostgresIdempotencyStore,
  [TENANT_LIMITS_STORE]: PostgresTenantLimitsStore,
  [TENANT_SETTINGS_STORE]: PostgresTenantSettingsStore,
  [TENANT_ADMIN_STORE]: PostgresTenantAdminStore,
  [ADMIN_AUDIT_STORE]: PostgresAdminAuditStore,
  [DEAD_LETTER_STORE]: PostgresDeadLetterStore,
} as const;
export type StoreToken = keyof typeof STORES;

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

/** The stores of one feature module: `DatabaseModule.forFeature([JOB_STORE, USAGE_STORE])`. */
@Module({})
export class DatabaseFeatureModule {}

/**
 * PostgreSQL for a whole app: `forRoot` opens the one pool of the process (and closes it on shutdown);
 * `forFeature` gives a feature module the stores it names, and only those.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATA_SOURCE, useFactory: () => openDataSource(options) },
        { provide: PostgresClient, useFactory: (ds: DataSource) => PostgresClient.of(ds), inject: [DATA_SOURCE] },
      ],
      exports: [DATA_SOURCE, PostgresClient],
    };
  }

  static forFeature(stores: readonly StoreToken[]): DynamicModule {
    const providers: Provider[] = stores.map((token) => ({
      provide: token,
      useFactory: (db: PostgresClient) => new STORES[token](db),
      inject: [PostgresClient],
    }));
    return { module: DatabaseFeatureModule, providers, exports: [...stores] };
  }

  /** Last of the shutdown hooks, so consumers draining in onModuleDestroy can still write. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
