import type { JobRecord, NewJob } from '@conveyor/contracts';
import { PostgresClient, PostgresJobStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { newJob, startedEvent, uniqueTenant } from './jobs.fixture';

/** Orphaned rows (queued, never confirmed) on the real PostgreSQL (the integration project's own database). */
describe('PostgresJobStore: orphans', () => {
  let dataSource: DataSource;
  let second: DataSource;
  let stores: PostgresJobStore[];
  let tenant: string;
  // Other tests' rows are unconfirmed too: these sort first (UUIDv7 from 2001) and each pass only keeps its tenant's.
  let clock = Date.UTC(2001, 0, 1);

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    // Two replicas: a pool each, as two gateways have.
    second = await openTestDataSource();
    stores = [new PostgresJobStore(PostgresClient.of(dataSource)), new PostgresJobStore(PostgresClient.of(second))];
  });
  afterAll(() => Promise.all([dataSource.destroy(), second.destroy()]));
  beforeEach(() => {
    tenant = uniqueTenant();
  });

  async function inserted(at = (clock += 1_000)): Promise<NewJob> {
    const job = newJob(tenant, at);
    await stores[0]!.insert(job);
    return job;
  }
  const enqueuedAt = async (id: string) =>
    ((await dataSource.query('SELECT enqueued_at FROM jobs WHERE id = $1', [id])) as Array<{ enqueued_at: Date | null }>)[0]!.enqueued_at;

  it('hands each orphan to one replica only while the other sweeps at the same time, then marks it enqueued', async () => {
    const orphans = [await inserted(), await inserted(), await inserted(), await inserted()];
    const confirmed = await inserted();
    await stores[0]!.markEnqueued(confirmed.id);
    const started = await inserted();
    await stores[0]!.markStarted(startedEvent(started, 1, 'w', new Date().toISOString()));
    const recent = await inserted(Date.now());

    const handed: string[][] = [[], []];
    const sweep = (replica: number) =>
      stores[replica]!.republishOrphans(new Date(Date.now() - 30_000), 10_000, async (jobs: JobRecord[]) => {
        const mine = jobs.filter((j) => j.tenantId === tenant).map((j) => j.id);
        handed[replica]!.push(...mine);
        // Hold the rows a while, as publishing does, so the other replica's pass runs meanwhile.
        await new Promise((r) => setTimeout(r, 300));
        return mine;
      });
    await Promise.all([sweep(0), sweep(1)]);

    expect([...handed[0]!, ...handed[1]!].sort()).toEqual(orphans.map((j) => j.id).sort());
    for (const job of orphans) expect(await enqueuedAt(job.id)).not.toBeNull();
    expect(await enqueuedAt(recent.id)).toBeNull();

    // Marked: a later pass finds none of them.
    const again: string[] = [];
    await stores[0]!.republishOrphans(new Date(), 10_000, async (jobs) => (again.push(...jobs.filter((j) => j.tenantId === tenant).map((j) => j.id)), []));
    expect(again).toEqual([recent.id]);
  });

  it('leaves an orphan whose publish failed for the next pass', async () => {
    const orphan = await inserted();
    const failing = await stores[0]!.republishOrphans(new Date(Date.now() - 30_000), 10_000, async () => []);
    expect(failing).toBe(0);
    expect(await enqueuedAt(orphan.id)).toBeNull();
    const passed: string[] = [];
    await stores[1]!.republishOrphans(new Date(Date.now() - 30_000), 10_000, async (jobs) => {
      const mine = jobs.filter((j) => j.tenantId === tenant).map((j) => j.id);
      passed.push(...mine);
      return mine;
    });
    expect(passed).toEqual([orphan.id]);
    expect(await enqueuedAt(orphan.id)).not.toBeNull();
  });

  it('starts new rows without a confirm: the column has no default (rows from before the migration got its time)', async () => {
    const job = await inserted();
    expect(await enqueuedAt(job.id)).toBeNull();
    const [{ has_default }] = (await dataSource.query(
      `SELECT column_default IS NOT NULL AS has_default FROM information_schema.columns WHERE table_name = 'jobs' AND column_name = 'enqueued_at'`,
    )) as Array<{ has_default: boolean }>;
    expect(has_default).toBe(false);
  });
});
