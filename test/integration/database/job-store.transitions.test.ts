import { type NewJob } from '@conveyor/contracts';
import { PostgresClient, PostgresJobStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { cancelledEvent, completedEvent, failedEvent, newJob, resultOf, startedEvent, uniqueTenant } from './jobs.fixture';

const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-01T10:00:01.000Z';
const T2 = '2026-01-01T10:00:02.000Z';
const T3 = '2026-01-01T10:00:03.000Z';

describe('PostgresJobStore transitions', () => {
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

  /** Created a minute ago, so "updated_at moved" does not depend on clocks agreeing to the millisecond. */
  async function inserted(): Promise<NewJob> {
    const job = newJob(tenant, Date.now() - 60_000);
    await store.insert(job);
    return job;
  }
  const load = async (job: NewJob) => (await store.findForTenant(job.tenantId, job.id))!;

  it('inserts a queued job and reads it back with Dates and JSON objects', async () => {
    const job = await inserted();
    expect(await load(job)).toEqual({
      ...job,
      status: 'queued',
      result: null,
      error: null,
      attempts: 0,
      attemptsLog: [],
      partialResult: null,
      callbackUrl: null,
      callbackSecret: null,
      workerId: null,
      updatedAt: job.createdAt,
      startedAt: null,
      completedAt: null,
      failedAt: null,
      cancelledAt: null,
      expiresAt: null,
      expiredAt: null,
      batch: null,
    });
  });

  describe('markStarted', () => {
    it('moves queued to running with the worker, the attempt and the start time', async () => {
      const job = await inserted();
      expect(await store.markStarted(startedEvent(job, 1, 'worker-a', T0))).toBe(true);
      const after = await load(job);
      expect(after).toMatchObject({ status: 'running', attempts: 1, workerId: 'worker-a', startedAt: new Date(T0) });
      expect(after.updatedAt.getTime()).toBeGreaterThan(job.createdAt.getTime());
    });

    it('ignores a duplicate of the same attempt', async () => {
      const job = await inserted();
      await store.markStarted(startedEvent(job, 1, 'worker-a', T0));
      expect(await store.markStarted(startedEvent(job, 1, 'worker-b', T1))).toBe(false);
      expect(await load(job)).toMatchObject({ status: 'running', attempts: 1, workerId: 'worker-a', startedAt: new Date(T0) });
    });

    it('records a redelivery (higher attempt) but keeps the first start time', async () => {
      const job = await inserted();
      await store.markStarted(startedEvent(job, 1, 'worker-a', T0));
      expect(await store.markStarted(startedEvent(job, 2, 'worker-b', T1))).toBe(true);
      expect(await load(job)).toMatchObject({ status: 'running', attempts: 2, workerId: 'worker-b', startedAt: new Date(T0) });
    });

    it('ignores a stale lower attempt arriving after a redelivery', async () => {
      const job = await inserted();
      await store.markStarted(startedEvent(job, 2, 'worker-b', T1));
      expect(await store.markStarted(startedEvent(job, 1, 'worker-a', T0))).toBe(false);
      expect(await load(job)).toMatchObject({ attempts: 2, workerId: 'worker-b' });
    });

    it('never touches a terminal job (started arriving after completed)', async () => {
      const job = await inserted();
      await store.markCompleted(completedEvent(job, 'done', { startedAt: T0, completedAt: T1 }));
      const before = await load(job);
      expect(await store.markStarted(startedEvent(job, 3, 'worker-late', T2))).toBe(false);
      expect(await load(job)).toEqual(before);
    });
  });

  describe('markCompleted', () => {
    it('completes a running job with its result', async () => {
      const job = await inserted();
      await store.markStarted(startedEvent(job, 1, 'worker-a', T0));
      expect(await store.markCompleted(completedEvent(job, 'hi there', { startedAt: T0, completedAt: T1 }))).toBe(true);
      expect(await load(job)).toMatchObject({
        status: 'completed',
        result: resultOf('hi there'),
        completedAt: new Date(T1),
        startedAt: new Date(T0),
        attempts: 1,
        workerId: 'worker-a',
      });
    });

    it('records the batch the job ran in, and none for a job that ran on its own', async () => {
      const batched = await inserted();
      const alone = await inserted();
      const batch = { id: '0196f0c2-6a8e-7000-8000-000000000001', mode: 'combined' as const, size: 3, index: 2, fallback: true };
      await store.markCompleted({ ...completedEvent(batched, 'split', { startedAt: T0, completedAt: T1 }), batch });
      await store.markCompleted(completedEvent(alone, 'alone', { startedAt: T0, completedAt: T1 }));
      expect((await load(batched)).batch).toEqual(batch);
      expect((await load(alone)).batch).toBeNull();
    });

    it('completes a queued job whose started event never arrived, taking start time and attempt from the event', async () => {
      const job = await inserted();
      expect(await store.markCompleted(completedEvent(job, 'ok', { startedAt: T1, completedAt: T2 }, 2))).toBe(true);
      expect(await load(job)).toMatchObject({ status: 'completed', startedAt: new Date(T1), attempts: 2 });
    });

    it('keeps the first result when a duplicate completion carries a different one', async () => {
      const job = await inserted();
      await store.markCompleted(completedEvent(job, 'first', { startedAt: T0, completedAt: T1 }));
      expect(await store.markCompleted(completedEvent(job, 'second', { startedAt: T2, completedAt: T3 }, 2))).toBe(false);
      expect(await load(job)).toMatchObject({ result: resultOf('first'), completedAt: new Date(T1), startedAt: new Date(T0), attempts: 1 });
    });

    it('lets exactly one of many concurrent completions win', async () => {
      const job = await inserted();
      const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((c) => store.markCompleted(completedEvent(job, c, { startedAt: T0, completedAt: T1 }))));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const winner = ['a', 'b', 'c', 'd'][outcomes.indexOf(true)]!;
      expect((await load(job)).result).toEqual(resultOf(winner));
    });

    it('does not complete a failed job', async () => {
      const job = await inserted();
      await store.markFailed(failedEvent(job, T1));
      expect(await store.markCompleted(completedEvent(job, 'late', { startedAt: T0, completedAt: T2 }))).toBe(false);
      expect(await load(job)).toMatchObject({ status: 'failed', result: null, completedAt: null });
    });
  });

  describe('markFailed', () => {
    it('fails a running job with its error and attempt', async () => {
      const job = await inserted();
      await store.markStarted(startedEvent(job, 1, 'worker-a', T0));
      expect(await store.markFailed(failedEvent(job, T1, 3))).toBe(true);
      expect(await load(job)).toMatchObject({
        status: 'failed',
        error: { code: 'provider_error', message: 'upstream answered 502' },
        failedAt: new Date(T1),
        attempts: 3,
      });
    });

    it('records the provider calls that led to the failure, and a completion its own', async () => {
      const failed = await inserted();
      const log = [
        {
          deployment: 'openai-a',
          provider: 'openai',
          upstream_model: 'gpt-4o',
          outcome: 'error' as const,
          latency_ms: 12,
          error: { message: 'upstream 503', status: 503 },
        },
        {
          deployment: 'anthropic-b',
          provider: 'anthropic',
          upstream_model: 'claude',
          outcome: 'error' as const,
          latency_ms: 30,
          error: { message: 'socket hang up' },
        },
      ];
      await store.markFailed({ ...failedEvent(failed, T1), error: { code: 'providers_unavailable', message: 'all failed' }, attempts_log: log });
      expect(await load(failed)).toMatchObject({ status: 'failed', attemptsLog: log });

      const done = await inserted();
      const ok = [{ deployment: 'sim', provider: 'simulated', upstream_model: 'simulated', outcome: 'ok' as const, latency_ms: 5 }];
      await store.markCompleted({ ...completedEvent(done, 'ok', { startedAt: T0, completedAt: T1 }), attempts_log: ok });
      expect(await load(done)).toMatchObject({ status: 'completed', attemptsLog: ok });
    });

    it('does not fail a completed job, nor fail a job twice', async () => {
      const done = await inserted();
      await store.markCompleted(completedEvent(done, 'ok', { startedAt: T0, completedAt: T1 }));
      expect(await store.markFailed(failedEvent(done, T2))).toBe(false);
      expect(await load(done)).toMatchObject({ status: 'completed', error: null });

      const failed = await inserted();
      await store.markFailed(failedEvent(failed, T1));
      expect(await store.markFailed(failedEvent(failed, T2, 2))).toBe(false);
      expect(await load(failed)).toMatchObject({ failedAt: new Date(T1), attempts: 1 });
    });
  });

  describe('markCancelled', () => {
    it('cancels a queued job once', async () => {
      const job = await inserted();
      expect(await store.markCancelled(cancelledEvent(job, T1))).toBe(true);
      expect(await store.markCancelled(cancelledEvent(job, T2))).toBe(false);
      expect(await load(job)).toMatchObject({ status: 'cancelled', cancelledAt: new Date(T1) });
    });

    it('cancels a running job with the partial text its worker stopped at, once', async () => {
      const running = await inserted();
      await store.markStarted(startedEvent(running, 1, 'worker-a', T0));
      const partial = { content: 'half an ans', usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } };
      expect(await store.markCancelled({ ...cancelledEvent(running, T1), partial })).toBe(true);
      expect(await store.markCancelled({ ...cancelledEvent(running, T2), partial: { ...partial, content: 'later' } })).toBe(false);
      expect(await load(running)).toMatchObject({ status: 'cancelled', cancelledAt: new Date(T1), partialResult: partial, result: null });
    });

    it('leaves completed jobs alone', async () => {
      const done = await inserted();
      await store.markCompleted(completedEvent(done, 'ok', { startedAt: T0, completedAt: T1 }));
      expect(await store.markCancelled(cancelledEvent(done, T2))).toBe(false);
      expect(await load(done)).toMatchObject({ status: 'completed', cancelledAt: null });
    });
  });

  describe('markEndedMany', () => {
    it('ends a batch of one kind, each job once, and answers which changed with their callback flags', async () => {
      const [a, b, done] = [await inserted(), await inserted(), await inserted()];
      await store.markCompleted(completedEvent(done, 'earlier', { startedAt: T0, completedAt: T1 }));
      const changed = await store.markEndedMany({
        completed: [a, b, done].map((j) => completedEvent(j, `for ${j.id}`, { startedAt: T0, completedAt: T2 })),
        failed: [],
        cancelled: [],
        expired: [],
      });
      expect([...changed.keys()].sort()).toEqual([a.id, b.id].sort());
      expect([...changed.values()]).toEqual([false, false]);
      expect((await load(a)).result).toEqual(resultOf(`for ${a.id}`));
      expect((await load(done)).result).toEqual(resultOf('earlier'));
    });

    it('ends a batch of several kinds together', async () => {
      const [c, f, x] = [await inserted(), await inserted(), await inserted()];
      const changed = await store.markEndedMany({
        completed: [completedEvent(c, 'ok', { startedAt: T0, completedAt: T1 })],
        failed: [failedEvent(f, T1)],
        cancelled: [cancelledEvent(x, T1)],
        expired: [],
      });
      expect([...changed.keys()].sort()).toEqual([c.id, f.id, x.id].sort());
      expect([(await load(c)).status, (await load(f)).status, (await load(x)).status]).toEqual(['completed', 'failed', 'cancelled']);
    });
  });

  it('ignores events naming another tenant', async () => {
    const job = await inserted();
    const foreign = { ...job, tenantId: uniqueTenant() };
    expect(await store.markStarted(startedEvent(foreign, 1, 'worker-a', T0))).toBe(false);
    expect(await store.markCompleted(completedEvent(foreign, 'x', { startedAt: T0, completedAt: T1 }))).toBe(false);
    expect(await store.markFailed(failedEvent(foreign, T1))).toBe(false);
    expect(await store.markCancelled(cancelledEvent(foreign, T1))).toBe(false);
    expect((await load(job)).status).toBe('queued');
  });

  it('answers false, without a database error, for a job id that is not a UUID', async () => {
    const bogus = { ...newJob(tenant), id: 'not-a-uuid' };
    await expect(store.markStarted(startedEvent(bogus, 1, 'worker-a', T0))).resolves.toBe(false);
    await expect(store.markCompleted(completedEvent(bogus, 'x', { startedAt: T0, completedAt: T1 }))).resolves.toBe(false);
    await expect(store.markFailed(failedEvent(bogus, T1))).resolves.toBe(false);
    await expect(store.markCancelled(cancelledEvent(bogus, T1))).resolves.toBe(false);
  });
});
