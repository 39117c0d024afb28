import { randomUUID } from 'node:crypto';
import { PostgresClient, PostgresJobStore, PostgresRateBucketStore, type BucketDemand } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openDataSource, openTestDataSource } from '../../support/database.util';
import { completedEvent, newJob, uniqueTenant } from './jobs.fixture';

/** A bucket of `capacity` that refills one token an hour: nothing refills while a test runs. */
const slow = (key: string, capacity: number, cost = 1): BucketDemand => ({ key, capacity, perSecond: 1 / 3600, cost });

describe('PostgresRateBucketStore (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let store: PostgresRateBucketStore;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    store = new PostgresRateBucketStore(PostgresClient.of(dataSource));
  });
  afterAll(() => dataSource.destroy());

  const level = async (key: string) => (await dataSource.query<Array<{ tokens: number }>>('SELECT tokens FROM rate_buckets WHERE key = $1', [key]))[0]?.tokens;

  it('admits exactly the bucket size of 200 concurrent checks from two pools (two replicas), from a bucket that did not exist', async () => {
    const key = `rpm:tenant:${uniqueTenant()}`;
    const [a, b] = await Promise.all([openDataSource(process.env.TEST_DATABASE_URL!, 8), openDataSource(process.env.TEST_DATABASE_URL!, 8)]);
    try {
      const replicas = [a, b].map((ds) => new PostgresRateBucketStore(PostgresClient.of(ds)));
      const checks = await Promise.all(Array.from({ length: 200 }, (_, i) => replicas[i % 2]!.take([slow(key, 10)], null)));
      expect(checks.filter((c) => c.admitted)).toHaveLength(10);
      expect(await level(key)).toBeCloseTo(0, 1);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });

  it('charges all of a request’s buckets or none: a full key bucket leaves the tenant bucket untouched', async () => {
    const [tenant, key] = [`rpm:tenant:${uniqueTenant()}`, `rpm:key:${randomUUID()}`];
    const checks = [];
    for (let i = 0; i < 5; i++) checks.push(await store.take([slow(tenant, 100), slow(key, 2)], null));
    expect(checks.map((c) => c.admitted)).toEqual([true, true, false, false, false]);
    expect(await level(tenant)).toBeCloseTo(98, 1);
    expect(checks[2]!.levels.find((l) => l.key === key)!.level).toBeCloseTo(0, 1);
  });

  it('refills for the time since the last check, up to the bucket size, on the database clock', async () => {
    const key = `rpm:tenant:${uniqueTenant()}`;
    const demand = { key, capacity: 10, perSecond: 1, cost: 1 };
    for (let i = 0; i < 10; i++) await store.take([demand], null);
    expect((await store.take([demand], null)).admitted).toBe(false);
    await dataSource.query(`UPDATE rate_buckets SET updated_at = updated_at - interval '3.5 seconds' WHERE key = $1`, [key]);
    const after = await store.take([demand], null);
    expect(after.admitted).toBe(true);
    expect(after.levels[0]!.level).toBeGreaterThanOrEqual(3.5);
    expect(after.levels[0]!.level).toBeLessThan(4.5);
    await dataSource.query(`UPDATE rate_buckets SET updated_at = updated_at - interval '1 hour' WHERE key = $1`, [key]);
    expect((await store.take([demand], null)).levels[0]!.level).toBeCloseTo(10, 5);
  });

  describe('token reservations, settled with the usage persistence recorded', () => {
    const jobs = () => new PostgresJobStore(PostgresClient.of(dataSource));
    const times = { startedAt: new Date().toISOString(), completedAt: new Date().toISOString() };

    it('credits back what a completed job was charged beyond its real usage, and all of it for a job cancelled before it ran', async () => {
      const tenantId = uniqueTenant();
      const key = `tpm:tenant:${tenantId}`;
      const [completed, cancelled, running] = [newJob(tenantId), newJob(tenantId), newJob(tenantId)];
      for (const job of [completed, cancelled, running]) {
        await jobs().insert(job);
        expect((await store.take([slow(key, 10_000, 1_000)], { jobId: job.id, tenantId, bucketKeys: [key], estimatedTokens: 1_000 })).admitted).toBe(true);
      }
      expect(await level(key)).toBeCloseTo(7_000, 0);
      await jobs().markCompleted(completedEvent(completed, 'done', times)); // usage: 8 tokens
      await jobs().cancelQueued(tenantId, cancelled.id, new Date());
      expect(await store.settleEnded(1_000)).toBeGreaterThanOrEqual(2);
      expect(await level(key)).toBeCloseTo(7_000 + 992 + 1_000, 0);
      // The running job keeps its reservation until it ends; settling again changes nothing.
      await store.settleEnded(1_000);
      expect(await level(key)).toBeCloseTo(8_992, 0);
      const left = await dataSource.query('SELECT job_id FROM admission_reservations WHERE tenant_id = $1', [tenantId]);
      expect(left).toEqual([{ job_id: running.id }]);
    });

    it('keeps the whole charge of a failed job (its usage is unknown), and never credits above the bucket size', async () => {
      const tenantId = uniqueTenant();
      const key = `tpm:tenant:${tenantId}`;
      const failed = newJob(tenantId);
      await jobs().insert(failed);
      await store.take([slow(key, 10_000, 600)], { jobId: failed.id, tenantId, bucketKeys: [key], estimatedTokens: 600 });
      await jobs().markFailed({
        job_id: failed.id,
        tenant_id: tenantId,
        attempt: 1,
        failed_at: new Date().toISOString(),
        error: { code: 'provider_error', message: 'boom' },
      });
      await store.settleEnded(1_000);
      expect(await level(key)).toBeCloseTo(9_400, 0);

      const big = newJob(tenantId);
      await jobs().insert(big);
      await store.take([slow(key, 10_000, 9_000)], { jobId: big.id, tenantId, bucketKeys: [key], estimatedTokens: 9_000 });
      // Refilled to the brim meanwhile (one token an hour, for 500 days): the credit cannot take it past its size.
      await dataSource.query(`UPDATE rate_buckets SET updated_at = updated_at - interval '500 days' WHERE key = $1`, [key]);
      await jobs().cancelQueued(tenantId, big.id, new Date());
      await store.settleEnded(1_000);
      expect(await level(key)).toBeCloseTo(10_000, 0);
    });

    it('forgets a reservation whose job was never written, once it is old', async () => {
      const tenantId = uniqueTenant();
      const key = `tpm:tenant:${tenantId}`;
      const orphan = newJob(tenantId);
      await store.take([slow(key, 10_000, 100)], { jobId: orphan.id, tenantId, bucketKeys: [key], estimatedTokens: 100 });
      await store.sweep();
      expect(await dataSource.query('SELECT job_id FROM admission_reservations WHERE job_id = $1', [orphan.id])).toHaveLength(1);
      await dataSource.query(`UPDATE admission_reservations SET created_at = created_at - interval '11 minutes' WHERE job_id = $1`, [orphan.id]);
      await store.sweep();
      expect(await dataSource.query('SELECT job_id FROM admission_reservations WHERE job_id = $1', [orphan.id])).toEqual([]);
    });
  });
});
