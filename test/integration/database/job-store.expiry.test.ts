import type { NewJob, PriorityBand } from '@conveyor/contracts';
import { PostgresClient, PostgresJobStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { cancelledEvent, newJob, startedEvent, uniqueTenant } from './jobs.fixture';

/** Expiry and queue standing on the real PostgreSQL (the integration project's own database). */
describe('PostgresJobStore: expiry and queue standing', () => {
  let dataSource: DataSource;
  let store: PostgresJobStore;
  let tenant: string;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    store = new PostgresJobStore(PostgresClient.of(dataSource));
  });
  afterAll(() => dataSource.destroy());
  beforeEach(() => {
    tenant = uniqueTenant();
  });

  async function inserted(over: Partial<NewJob> = {}, at = Date.now() - 60_000): Promise<NewJob> {
    const job = { ...newJob(over.tenantId ?? tenant, at), ...over };
    await store.insert(job);
    return job;
  }
  const expiredEvent = (job: NewJob) => ({ job_id: job.id, tenant_id: job.tenantId, expired_at: new Date().toISOString() });

  describe('expiry', () => {
    it('stores the deadline and lists queued jobs past it, soonest first, and only those', async () => {
      const late = await inserted({ expiresAt: new Date(Date.now() - 2_000), model: 'fast', priority: 'low' });
      const later = await inserted({ expiresAt: new Date(Date.now() - 1_000) });
      await inserted({ expiresAt: new Date(Date.now() + 60_000) });
      await inserted();
      const ran = await inserted({ expiresAt: new Date(Date.now() - 3_000) });
      await store.markStarted(startedEvent(ran, 1, 'w', new Date().toISOString()));
      const due = (await store.dueToExpire(10_000, new Date())).filter((d) => d.tenantId === tenant);
      expect(due.map((d) => d.id)).toEqual([late.id, later.id]);
      // The model and band come along, so whoever expires a job can count it by both.
      expect(due[0]).toMatchObject({ model: 'fast', priority: 'low' });
      expect(due[1]).toMatchObject({ model: later.model, priority: later.priority });
      expect((await store.findForTenant(tenant, late.id))!.expiresAt).toEqual(late.expiresAt);
    });

    it('expires a queued job once, and never one that started or ended otherwise', async () => {
      const queued = await inserted({ expiresAt: new Date(Date.now() - 1_000) });
      const running = await inserted({ expiresAt: new Date(Date.now() - 1_000) });
      await store.markStarted(startedEvent(running, 1, 'w', new Date().toISOString()));
      const cancelled = await inserted({ expiresAt: new Date(Date.now() - 1_000) });
      await store.markCancelled(cancelledEvent(cancelled, new Date().toISOString()));
      const changed = await store.markEndedMany({ completed: [], failed: [], cancelled: [], expired: [queued, running, cancelled].map(expiredEvent) });
      expect([...changed]).toEqual([[queued.id, false]]); // changed, and without a callback URL
      expect(await store.markExpired(expiredEvent(queued))).toBe(false);
      const row = (await store.findForTenant(tenant, queued.id))!;
      expect(row.status).toBe('expired');
      expect(row.expiredAt).not.toBeNull();
      expect(row.startedAt).toBeNull();
      expect((await store.findForTenant(tenant, running.id))!.status).toBe('running');
      expect((await store.findForTenant(tenant, cancelled.id))!.status).toBe('cancelled');
    });

    it('counts an expired job among the jobs that ended without starting (a worker loads them as tombstones)', async () => {
      const job = await inserted({ expiresAt: new Date(Date.now() - 1_000) });
      await store.markExpired(expiredEvent(job));
      expect(await store.endedUnstartedSince(new Date(Date.now() - 60_000), 100_000)).toContain(job.id);
    });
  });

  describe('queue standing', () => {
    const mine = (counts: Awaited<ReturnType<PostgresJobStore['queuedCounts']>>, tenants: string[]) =>
      counts.filter((c) => tenants.includes(c.tenantId)).sort((a, b) => `${a.band}${a.tenantId}`.localeCompare(`${b.band}${b.tenantId}`));

    it('counts queued jobs per band and tenant, and those queued before a given job', async () => {
      const other = uniqueTenant();
      const base = Date.now() - 600_000;
      const mineJobs: NewJob[] = [];
      for (let i = 0; i < 5; i++) mineJobs.push(await inserted({}, base + i * 1_000));
      for (let i = 0; i < 3; i++) await inserted({ tenantId: other }, base + 500 + i * 1_000);
      await inserted({ tenantId: other, priority: 'high' as PriorityBand }, base + 10_000);
      await inserted({ priority: 'low' as PriorityBand }, base);
      await store.markStarted(startedEvent(mineJobs[0]!, 1, 'w', new Date().toISOString()));
      const probe = mineJobs[3]!; // queued at base + 3 s
      const counts = mine(await store.queuedCounts(['high', 'normal'], probe.id), [tenant, other]);
      const [first, second] = [tenant, other].sort();
      const expected = [
        { band: 'high', tenantId: other, total: 1, before: 0 },
        { band: 'normal', tenantId: first, total: first === tenant ? 4 : 3, before: first === tenant ? 2 : 3 },
        { band: 'normal', tenantId: second, total: second === tenant ? 4 : 3, before: second === tenant ? 2 : 3 },
      ];
      expect(counts).toEqual(expected);
    });

    it('counts the jobs that started since a moment', async () => {
      const since = new Date(Date.now() - 5_000);
      const before = await store.startedSince(since);
      for (let i = 0; i < 3; i++) {
        const job = await inserted();
        await store.markStarted(startedEvent(job, 1, 'w', new Date().toISOString()));
      }
      const old = await inserted();
      await store.markStarted(startedEvent(old, 1, 'w', new Date(Date.now() - 3_600_000).toISOString()));
      expect(await store.startedSince(since)).toBe(before + 3);
    });
  });
});
