import { DataSource } from 'typeorm';
import { Admission1796471100000 } from './migrations/admission.migration';
import { AdminApi1796540000000 } from './migrations/admin-api.migration';
import { AttemptsLog1795600000000 } from './migrations/attempts-log.migration';
import { PartialResult1795800000000 } from './migrations/partial-result.migration';
import { InitialSchema1795438500000 } from './migrations/initial-schema.migration';
import { CancelledUnstarted1796100000000 } from './migrations/cancelled-unstarted.migration';
import { ExpiryAndStanding1796200000000 } from './migrations/expiry-and-standing.migration';
import { JobBatches1796510000000 } from './migrations/job-batches.migration';
import { JobChunkRuns1796550000000 } from './migrations/job-chunk-runs.migration';
import { JobChunks1796000000000 } from './migrations/job-chunks.migration';
import { TenantQuotas1796300000000 } from './migrations/tenant-quotas.migration';
import { TenantSettings1796520000000 } from './migrations/tenant-settings.migration';
import { JobStarts1796400000000 } from './migrations/job-starts.migration';
import { JobEnqueued1796530000000 } from './migrations/job-enqueued.migration';
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
const MIGRATIONS = [
  InitialSchema1795438500000,
  AttemptsLog1795600000000,
  Webhooks1795700000000,
  PartialResult1795800000000,
  UsageRecords1795900000000,
  JobChunks1796000000000,
  CancelledUnstarted1796100000000,
  ExpiryAndStanding1796200000000,
  TenantQuotas1796300000000,
  JobStarts1796400000000,
  Admission1796471100000,
  JobBatches1796510000000,
  TenantSettings1796520000000,
  JobEnqueued1796530000000,
  AdminApi1796540000000,
  JobChunkRuns1796550000000,
];

/**
 * A TypeORM DataSource for PostgreSQL (driver `pg`), not yet initialized. TypeORM owns the connection pool and
 * the migrations; the stores write their own SQL (see PostgresClient), so no entities are registered. The schema
 * only ever changes through migrations, and only when asked (`runMigrations`), never as a side effect of connecting.
 */
export function createDataSource(options: DatabaseConnectionOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    poolSize: options.poolSize,
    applicationName: 'conveyor',
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
  });
}
