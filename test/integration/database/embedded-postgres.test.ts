import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '@conveyor/config';
import { PostgresClient, runMigrations, PostgresJobStore, PostgresTenantKeyStore } from '@conveyor/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@conveyor/embedded-postgres';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../../support/database.util';
import { completedEvent, newJob, resultOf, startedEvent, uniqueTenant } from './jobs.fixture';
import { ALL_MIGRATIONS } from '../../support/migrations.util';

const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-01T10:00:01.000Z';

/** The embedded mode's database: the same adapter, migrations and conditional updates, on PGlite. */
describe('embedded PostgreSQL (PGlite)', () => {
  let pg: EmbeddedPostgres;
  let dataSource: DataSource;
  let applied: string[];

  beforeAll(async () => {
    pg = await startEmbeddedPostgres('memory');
    dataSource = await openDataSource(pg.url);
    applied = (await runMigrations(dataSource)).map((m) => m.name);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await pg.stop();
  });

  it('runs the migrations (advisory lock included), once', async () => {
    expect(applied).toEqual([...ALL_MIGRATIONS]);
    expect(await runMigrations(dataSource)).toEqual([]);
  });

  it('runs the job transitions and queries', async () => {
    const store = new PostgresJobStore(PostgresClient.of(dataSource));
    const tenant = uniqueTenant();
    const job = newJob(tenant);
    const other = newJob(tenant, Date.now() + 1);
    await store.insert(job);
    await store.insert(other);
    expect(await store.markStarted(startedEvent(job, 1, 'worker-a', T0))).toBe(true);
    expect(await store.markCompleted(completedEvent(job, 'first', { startedAt: T0, completedAt: T1 }))).toBe(true);
    expect(await store.markCompleted(completedEvent(job, 'second', { startedAt: T0, completedAt: T1 }))).toBe(false);
    expect(await store.findForTenant(tenant, job.id)).toMatchObject({ status: 'completed', result: resultOf('first'), startedAt: new Date(T0) });
    expect(await store.cancelQueued(tenant, other.id, new Date(T1))).toMatchObject({ changed: true, job: { status: 'cancelled' } });
    expect(await store.listForTenant(tenant, { limit: 1 })).toMatchObject({ jobs: [{ id: other.id }], hasMore: true });
    expect(await store.findForTenant(tenant, 'not-a-uuid')).toBeNull();
  });

  it('stores key hashes, with ids from gen_random_uuid()', async () => {
    const keys = new PostgresTenantKeyStore(PostgresClient.of(dataSource));
    const tenant = uniqueTenant();
    const keyHash = hashApiKey('embedded-test-key');
    await keys.bootstrap([{ keyHash, tenantId: tenant, label: 'embe…' }]);
    await keys.bootstrap([{ keyHash, tenantId: tenant, label: 'embe…' }]);
    expect(await keys.tenantForKeyHash(keyHash)).toBe(tenant);
  });
});

describe('embedded PostgreSQL with a data directory', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'conveyor-pglite-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('creates missing parent directories and keeps jobs across restarts', async () => {
    const dataDir = join(root, 'nested', 'pgdata');
    const job = newJob(uniqueTenant());
    await withEmbedded(dataDir, async (store) => {
      await store.insert(job);
    });
    await withEmbedded(dataDir, async (store) => {
      expect(await store.statusOf(job.id)).toBe('queued');
    });
  });
});

async function withEmbedded(dataDir: string, work: (store: PostgresJobStore) => Promise<void>): Promise<void> {
  const pg = await startEmbeddedPostgres(dataDir);
  try {
    const dataSource = await openDataSource(pg.url);
    try {
      await runMigrations(dataSource);
      await work(new PostgresJobStore(PostgresClient.of(dataSource)));
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await pg.stop();
  }
}

describe('stopping embedded PostgreSQL', () => {
  it('closes the server, and a second stop resolves as well', async () => {
    const pg = await startEmbeddedPostgres('memory');
    await Promise.all([pg.stop(), pg.stop()]);
    await expect(pg.stop()).resolves.toBeUndefined();
    const client = new Client({ connectionString: pg.url });
    await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
  });
});
