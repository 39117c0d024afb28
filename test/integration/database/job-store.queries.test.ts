import { type JobRecord, type NewJob } from '@conveyor/contracts';
import { PostgresClient, PostgresJobStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { completedEvent, newJob, startedEvent, uniqueTenant } from './jobs.fixture';

const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-01T10:00:01.000Z';

describe('PostgresJobStore queries', () => {
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

  /** Jobs one second apart, oldest first. */
  async function insertMany(count: number, tenantId = tenant): Promise<NewJob[]> {
    const start = Date.now() - 3_600_000;
    const jobs = Array.from({ length: count }, (_, i) => newJob(tenantId, start + i * 1000));
    for (const job of jobs) await store.insert(job);
    return jobs;
  }
  const ids = (jobs: Array<NewJob | JobRecord>) => jobs.map((j) => j.id);

  describe('findForTenant', () => {
    it("answers null for another tenant's job, an unknown id and a non-UUID id", async () => {
      const [job] = await insertMany(1);
      expect(await store.findForTenant(tenant, job!.id)).not.toBeNull();
      expect(await store.findForTenant(uniqueTenant(), job!.id)).toBeNull();
      expect(await store.findForTenant(tenant, newJob(tenant).id)).toBeNull();
      expect(await store.findForTenant(tenant, "'; DROP TABLE jobs; --")).toBeNull();
    });
  });

  describe('listForTenant', () => {
    it('pages newest first with an id cursor, fetching one extra row to report has_more', async () => {
      const jobs = await insertMany(5);
      const newest = ids(jobs).reverse();
      const page1 = await store.listForTenant(tenant, { limit: 2 });
      expect(ids(page1.jobs)).toEqual(newest.slice(0, 2));
      expect(page1.hasMore).toBe(true);
      const page2 = await store.listForTenant(tenant, { limit: 2, after: page1.jobs[1]!.id });
      expect(ids(page2.jobs)).toEqual(newest.slice(2, 4));
      expect(page2.hasMore).toBe(true);
      const page3 = await store.listForTenant(tenant, { limit: 2, after: page2.jobs[1]!.id });
      expect(ids(page3.jobs)).toEqual(newest.slice(4));
      expect(page3.hasMore).toBe(false);
    });

    it('reports no more pages when the last page is exactly full', async () => {
      const jobs = await insertMany(2);
      const page = await store.listForTenant(tenant, { limit: 2 });
      expect(ids(page.jobs)).toEqual(ids(jobs).reverse());
      expect(page.hasMore).toBe(false);
    });

    it('filters by status, together with the cursor', async () => {
      const jobs = await insertMany(5);
      for (const job of [jobs[0]!, jobs[2]!, jobs[3]!]) await store.markStarted(startedEvent(job, 1, 'worker-a', T0));
      const page1 = await store.listForTenant(tenant, { status: 'running', limit: 2 });
      expect(ids(page1.jobs)).toEqual([jobs[3]!.id, jobs[2]!.id]);
      expect(page1.hasMore).toBe(true);
      const page2 = await store.listForTenant(tenant, { status: 'running', limit: 2, after: jobs[2]!.id });
      expect(ids(page2.jobs)).toEqual([jobs[0]!.id]);
      expect(page2.hasMore).toBe(false);
      expect(ids((await store.listForTenant(tenant, { status: 'queued', limit: 10 })).jobs)).toEqual([jobs[4]!.id, jobs[1]!.id]);
    });

    it("never lists another tenant's jobs", async () => {
      const mine = await insertMany(2);
      await insertMany(3, uniqueTenant());
      expect(ids((await store.listForTenant(tenant, { limit: 10 })).jobs)).toEqual(ids(mine).reverse());
    });

    it('answers an empty page for a cursor that is not a UUID', async () => {
      await insertMany(1);
      expect(await store.listForTenant(tenant, { limit: 10, after: 'job_123' })).toEqual({ jobs: [], hasMore: false });
    });
  });

  describe('statusOf', () => {
    it('follows the job, and answers null for unknown or non-UUID ids', async () => {
      const [job] = await insertMany(1);
      expect(await store.statusOf(job!.id)).toBe('queued');
      await store.markStarted(startedEvent(job!, 1, 'worker-a', T0));
      expect(await store.statusOf(job!.id)).toBe('running');
      expect(await store.statusOf(newJob(tenant).id)).toBeNull();
      expect(await store.statusOf('42')).toBeNull();
    });
  });

  describe('runStateOf', () => {
    it('answers reads made together (one query) each with its own job, and null for one with no row', async () => {
      const [queued, running] = await insertMany(2);
      await store.markStarted(startedEvent(running!, 1, 'worker-a', T0));
      const ids = [queued!.id, running!.id, newJob(tenant).id, 'not-a-uuid'];
      expect(await Promise.all(ids.map((id) => store.runStateOf(id)))).toEqual([{ status: 'queued', starts: 0 }, { status: 'running', starts: 1 }, null, null]);
    });
  });

  describe('hasCallback', () => {
    it("is true only for the tenant's own job with a callback_url", async () => {
      const plain = newJob(tenant);
      const withCallback: NewJob = { ...newJob(tenant), callbackUrl: 'https://hooks.example.com/done', callbackSecret: 'plain:whsec_x' };
      await store.insert(plain);
      await store.insert(withCallback);
      expect(await store.hasCallback(tenant, withCallback.id)).toBe(true);
      expect(await store.hasCallback(tenant, plain.id)).toBe(false);
      expect(await store.hasCallback(uniqueTenant(), withCallback.id)).toBe(false);
      expect(await store.hasCallback(tenant, newJob(tenant).id)).toBe(false);
      expect(await store.hasCallback(tenant, 'not-a-uuid')).toBe(false);
    });
  });

  /**
   * Starts `action` while another transaction holds the job's row, having run `update` on it (a gateway's confirm
   * mark, a worker's read, persistence writing a start), and commits that 100 ms later, when `action` is waiting on
   * the row's lock.
   */
  async function whileChangedElsewhere<T>(jobId: string, update: string, action: () => Promise<T>): Promise<T> {
    const other = dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await other.query(update, [jobId]);
      const pending = action();
      await new Promise((r) => setTimeout(r, 100));
      await other.commitTransaction();
      return await pending;
    } finally {
      await other.release();
    }
  }
  const markEnqueued = `UPDATE jobs SET enqueued_at = now() WHERE id = $1`;

  describe('cancelQueued', () => {
    it('cancels a queued job, then answers it unchanged on a repeat', async () => {
      const [job] = await insertMany(1);
      const at = new Date('2026-01-01T12:00:00.000Z');
      const first = await store.cancelQueued(tenant, job!.id, at);
      expect(first).toMatchObject({ changed: true, job: { id: job!.id, status: 'cancelled', cancelledAt: at } });
      const again = await store.cancelQueued(tenant, job!.id, new Date('2026-01-01T13:00:00.000Z'));
      expect(again).toEqual({ changed: false, job: first!.job });
    });

    it('answers a running job unchanged', async () => {
      const [job] = await insertMany(1);
      await store.markStarted(startedEvent(job!, 1, 'worker-a', T0));
      expect(await store.cancelQueued(tenant, job!.id, new Date())).toMatchObject({ changed: false, job: { status: 'running', cancelledAt: null } });
    });

    it('answers a job that started while the cancel waited on its row as running, not as the queued job it was', async () => {
      const [job] = await insertMany(1);
      const start = `UPDATE jobs SET status = 'running', started_at = now(), starts = starts + 1 WHERE id = $1`;
      const outcome = await whileChangedElsewhere(job!.id, start, () => store.cancelQueued(tenant, job!.id, new Date()));
      expect(outcome).toMatchObject({ changed: false, job: { status: 'running', cancelledAt: null } });
    });

    it("answers null for another tenant's job and leaves it queued", async () => {
      const [job] = await insertMany(1);
      expect(await store.cancelQueued(uniqueTenant(), job!.id, new Date())).toBeNull();
      expect(await store.statusOf(job!.id)).toBe('queued');
    });

    it('answers null for unknown and non-UUID ids', async () => {
      expect(await store.cancelQueued(tenant, newJob(tenant).id, new Date())).toBeNull();
      expect(await store.cancelQueued(tenant, 'nope', new Date())).toBeNull();
    });
  });

  describe('remove', () => {
    const enqueuedAt = async (id: string) =>
      (await dataSource.query(`SELECT enqueued_at FROM jobs WHERE id = $1`, [id]))[0]?.enqueued_at as Date | null | undefined;

    it('deletes a job whose message nobody confirmed, and answers absent for an unknown or non-UUID id', async () => {
      const [job] = await insertMany(1);
      expect(await store.remove(job!.id)).toBe('removed');
      expect(await store.statusOf(job!.id)).toBeNull();
      expect(await store.remove(job!.id)).toBe('absent');
      expect(await store.remove('not-a-uuid')).toBe('absent');
    });

    it("keeps a job a worker has read: the worker's read marks its message enqueued", async () => {
      const [job] = await insertMany(1);
      expect(await enqueuedAt(job!.id)).toBeNull();
      expect(await store.runStateOf(job!.id)).toEqual({ status: 'queued', starts: 0 });
      expect(await enqueuedAt(job!.id)).toBeInstanceOf(Date);
      expect(await store.remove(job!.id)).toBe('delivered');
      expect(await store.statusOf(job!.id)).toBe('queued');
      // A second read answers the same and leaves the mark as it was.
      const first = await enqueuedAt(job!.id);
      expect(await store.runStateOf(job!.id)).toEqual({ status: 'queued', starts: 0 });
      expect(await enqueuedAt(job!.id)).toEqual(first);
    });

    it('a worker read waiting on the lock of a confirm being marked still finds the job', async () => {
      const [job] = await insertMany(1);
      expect(await whileChangedElsewhere(job!.id, markEnqueued, () => store.runStateOf(job!.id))).toEqual({ status: 'queued', starts: 0 });
    });

    it('a removal waiting on the lock of a worker read keeps the job', async () => {
      const [job] = await insertMany(1);
      expect(await whileChangedElsewhere(job!.id, markEnqueued, () => store.remove(job!.id))).toBe('delivered');
    });

    it('records a confirm only on a job still queued: one that started meanwhile is no orphan and is not written again', async () => {
      const [queued, started] = await insertMany(2);
      await store.markStarted(startedEvent(started!, 1, 'w', T0));
      await Promise.all([store.markEnqueued(queued!.id), store.markEnqueued(started!.id)]);
      expect(await enqueuedAt(queued!.id)).toBeInstanceOf(Date);
      expect(await enqueuedAt(started!.id)).toBeNull();
    });

    it('keeps a job the gateway saw confirmed', async () => {
      const [job] = await insertMany(1);
      await store.markEnqueued(job!.id);
      for (const until = Date.now() + 5_000; !(await enqueuedAt(job!.id)) && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
      expect(await store.remove(job!.id)).toBe('delivered');
    });

    it('a removal racing a worker read has exactly one winner: removed and unseen, or kept and seen', async () => {
      const jobs = await insertMany(40);
      const races = await Promise.all(jobs.map(async (job) => Promise.all([store.remove(job.id), store.runStateOf(job.id)])));
      for (const [outcome, state] of races) {
        if (outcome === 'removed') expect(state).toBeNull();
        else expect([outcome, state]).toEqual(['delivered', { status: 'queued', starts: 0 }]);
      }
      const kept = races.filter(([outcome]) => outcome === 'delivered').length;
      expect((await Promise.all(jobs.map((j) => store.statusOf(j.id)))).filter((s) => s !== null)).toHaveLength(kept);
    });
  });

  describe('listUnfinished', () => {
    it('answers queued and running jobs, oldest first, and no terminal ones', async () => {
      const jobs = await insertMany(4);
      await store.markStarted(startedEvent(jobs[1]!, 1, 'worker-a', T0));
      await store.markCompleted(completedEvent(jobs[2]!, 'done', { startedAt: T0, completedAt: T1 }));
      // Other test files share the database: look only at this tenant's jobs among all unfinished ones.
      const unfinished = (await store.listUnfinished(100_000)).filter((j) => j.tenantId === tenant);
      expect(ids(unfinished)).toEqual([jobs[0]!.id, jobs[1]!.id, jobs[3]!.id]);
      expect(unfinished.map((j) => j.status)).toEqual(['queued', 'running', 'queued']);
    });

    it('answers at most `limit` jobs, the oldest', async () => {
      // Dated 1970 so no concurrently running test can insert anything older; removed afterwards.
      const ancient = [1_000, 2_000, 3_000].map((at) => newJob(tenant, at));
      for (const job of ancient) await store.insert(job);
      try {
        expect(ids(await store.listUnfinished(2))).toEqual(ids(ancient.slice(0, 2)));
      } finally {
        for (const job of ancient) await store.remove(job.id);
      }
    });
  });

  it('pings', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
