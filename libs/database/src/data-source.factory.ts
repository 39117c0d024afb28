import { DataSource } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { JobEntity } from './entities/job.entity';
import { TenantEntity } from './entities/tenant.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { AttemptsLog1795600000000 } from './migrations/attempts-log.migration';
import { PartialResult1795800000000 } from './migrations/partial-result.migration';
import { InitialSchema1795438500000 } from './migrations/initial-schema.migration';
import { JobChunks1796000000000 } from './migrations/job-chunks.migration';
import { UsageRecords1795900000000 } from './migrations/usage-records.migration';
import { Webhooks1795700000000 } from './migrations/webhooks.migration';

export interface DatabaseConnectionOptions {
  /** `postgres://user:pass@host:5432/db`. Never logged: it may hold a password. */
  url: string;
  /** Most connections this process opens. */
  poolSize: number;
}

/**
 * Registered by class, not by glob, so the same list works from ts-jest (`.ts` sources) and from the
 * tsc build (`.js` in dist) without path games.
 */
const ENTITIES = [TenantEntity, ApiKeyEntity, JobEntity, WebhookEndpointEntity];
const MIGRATIONS = [
  InitialSchema1795438500000,
  AttemptsLog1795600000000,
  Webhooks1795700000000,
  PartialResult1795800000000,
  UsageRecords1795900000000,
  JobChunks1796000000000,
];

/**
 * A TypeORM DataSource for PostgreSQL (driver `pg`), not yet initialized. The schema only ever changes
 * through migrations, and only when asked (`runMigrations`), never as a side effect of connecting.
 */
export function createDataSource(options: DatabaseConnectionOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    poolSize: options.poolSize,
    applicationName: 'conveyor',
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
  });
}
