import { randomUUID } from 'node:crypto';
import { MIGRATION_LOCK_KEY, runMigrations } from '@conveyor/database';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { dropDatabase, openDataSource, openTestDataSource, recreateDatabase } from '../../support/database.util';
import { ALL_MIGRATIONS } from '../../support/migrations.util';

const TABLES = [
  'admin_audit',
  'admission_reservations',
  'api_keys',
  'dead_letters',
  'idempotency_keys',
  'job_chunks',
  'jobs',
  'migrations',
  'rate_buckets',
  'stream_leases',
  'tenant_limits',
  'tenant_provider_keys',
  'tenant_rate_windows',
  'tenant_settings',
  'tenants',
  'usage_records',
  'webhook_deliveries',
  'webhook_endpoints',
];

/** Each test migrates a database of its own, created empty. */
describe('runMigrations', () => {
  let name: string;
  let url: string;
  const opened: DataSource[] = [];

  beforeEach(async () => {
    name = `conveyor_migrate_${randomUUID().replace(/-/g, '')}`;
    url = await recreateDatabase(name);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((ds) => ds.destroy()));
    await dropDatabase(name);
  });

  async function open(): Promise<DataSource> {
    const dataSource = await openDataSource(url, 2);
    opened.push(dataSource);
    return dataSource;
  }
  const tables = async (ds: DataSource) =>
    (await ds.query<Array<{ tablename: string }>>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).map((t) => t.tablename);

  it('applies the schema once when two replicas migrate at the same moment', async () => {
    const [a, b] = [await open(), await open()];
    const [appliedA, appliedB] = await Promise.all([runMigrations(a), runMigrations(b)]);
    expect([...appliedA, ...appliedB].map((m) => m.name)).toEqual([...ALL_MIGRATIONS]);
    expect(await tables(a)).toEqual(TABLES);
  });

  it('waits while another session holds the migration lock', async () => {
    const holder = new Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const dataSource = await open();
      const migrating = runMigrations(dataSource);
      // Deterministic, not a sleep: wait until PostgreSQL reports the migrator blocked on the advisory lock.
      await waitFor(async () => {
        const { rows } = await holder.query(
          "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = $1 AND l.locktype = 'advisory' AND NOT l.granted",
          [name],
        );
        return rows[0].n === 1;
      });
      expect(await tables(dataSource)).toEqual([]);
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      expect((await migrating).map((m) => m.name)).toEqual([...ALL_MIGRATIONS]);
    } finally {
      await holder.end();
    }
  });

  it('reverts cleanly', async () => {
    const dataSource = await open();
    const applied = await runMigrations(dataSource);
    for (let i = 0; i < applied.length; i += 1) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await tables(dataSource)).toEqual(['migrations']);
  });
});

describe('the shared test database', () => {
  it('is already migrated, so migrating again applies nothing', async () => {
    const dataSource = await openTestDataSource();
    try {
      expect(await runMigrations(dataSource)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
