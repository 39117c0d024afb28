import { randomUUID } from 'node:crypto';
import { PostgresAdminAuditStore, PostgresClient, PostgresDeadLetterStore, PostgresJobStore, type NewDeadLetter } from '@conveyor/database';
import type { NewJob } from '@conveyor/contracts';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { completedEvent, failedEvent, newJob, uniqueTenant } from './jobs.fixture';

/** The dead-letter store on the real PostgreSQL: recorded once per message, and a replay that commits all or nothing. */
describe('PostgresDeadLetterStore', () => {
  let dataSource: DataSource;
  let store: PostgresDeadLetterStore;
  let jobs: PostgresJobStore;
  let audit: PostgresAdminAuditStore;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    const db = PostgresClient.of(dataSource);
    [store, jobs, audit] = [new PostgresDeadLetterStore(db), new PostgresJobStore(db), new PostgresAdminAuditStore(db)];
  });
  afterAll(() => dataSource.destroy());

  const letterOf = (job: NewJob, messageId = randomUUID()): NewDeadLetter => ({
    messageId,
    jobId: job.id,
    tenantId: job.tenantId,
    type: 'job.requested',
    priority: 'normal',
    sourceQueue: 'conveyor.jobs.normal.0',
    reason: 'delivery_limit',
    headers: { 'x-first-death-reason': 'delivery_limit' },
    payload: { job_id: job.id },
  });
  /** A failed job and its recorded dead letter's id. */
  async function deadJob(): Promise<{ job: NewJob; id: string }> {
    const job = newJob(uniqueTenant());
    await jobs.insert(job);
    await jobs.markFailed(failedEvent(job, new Date().toISOString()));
    await store.record(letterOf(job));
    const [letter] = (await store.list({ limit: 100 })).filter((l) => l.jobId === job.id);
    return { job, id: letter!.id };
  }
  const auditFor = async (id: string) => (await audit.list({ limit: 10, targetId: id })).map((e) => e.action);
  const entry = (id: string) => ({ adminId: 'adm_test', action: 'dead_letter.replay', targetType: 'dead_letter', targetId: id });

  it('records a dead letter once per message id, however often it is delivered', async () => {
    const job = newJob(uniqueTenant());
    const letter = letterOf(job);
    await store.record(letter);
    await store.record(letter);
    const found = (await store.list({ limit: 100 })).filter((l) => l.jobId === job.id);
    expect(found).toEqual([expect.objectContaining({ ...letter, state: 'dead', settledAt: null, jobStatus: null })]);
  });

  it('a replay resets the failed job to queued, republishes inside the transaction, and audits it; a second one does nothing', async () => {
    const { job, id } = await deadJob();
    const published: string[] = [];
    const first = await store.replay(id, entry(id), async (l) => void published.push(l.jobId));
    expect(first).toMatchObject({ outcome: 'replayed', letter: { state: 'replayed', jobStatus: 'queued' } });
    const second = await store.replay(id, entry(id), async (l) => void published.push(l.jobId));
    expect(second).toMatchObject({ outcome: 'settled', letter: { state: 'replayed' } });
    expect(published).toEqual([job.id]);
    expect(await jobs.runStateOf(job.id)).toEqual({ status: 'queued', starts: 0 });
    expect(await auditFor(id)).toEqual(['dead_letter.replay']);
  });

  it('a publish that fails rolls the replay back whole: the job stays failed, the letter dead, nothing audited', async () => {
    const { job, id } = await deadJob();
    await expect(
      store.replay(id, entry(id), async () => {
        throw new Error('broker unavailable');
      }),
    ).rejects.toThrow('broker unavailable');
    expect((await store.find(id))!).toMatchObject({ state: 'dead', jobStatus: 'failed', settledAt: null });
    expect((await jobs.runStateOf(job.id))!.status).toBe('failed');
    expect(await auditFor(id)).toEqual([]);
  });

  it('refuses to replay a job that did not stay failed, and publishes nothing', async () => {
    const job = newJob(uniqueTenant());
    await jobs.insert(job);
    const now = new Date().toISOString();
    await jobs.markCompleted(completedEvent(job, 'done anyway', { startedAt: now, completedAt: now }));
    await store.record(letterOf(job));
    const [letter] = (await store.list({ limit: 100 })).filter((l) => l.jobId === job.id);
    let published = 0;
    const result = await store.replay(letter!.id, entry(letter!.id), async () => void (published += 1));
    expect(result).toMatchObject({ outcome: 'job_not_failed', letter: { state: 'dead', jobStatus: 'completed' } });
    expect(published).toBe(0);
    expect(await auditFor(letter!.id)).toEqual([]);
  });

  it('discards once; a discarded letter is not replayed', async () => {
    const { id } = await deadJob();
    const discard = { adminId: 'adm_test', action: 'dead_letter.discard', targetType: 'dead_letter', targetId: id };
    expect(await store.discard(id, discard)).toMatchObject({ outcome: 'discarded', letter: { state: 'discarded' } });
    expect(await store.discard(id, discard)).toMatchObject({ outcome: 'settled', letter: { state: 'discarded' } });
    expect(await store.replay(id, entry(id), async () => undefined)).toMatchObject({ outcome: 'settled' });
    expect(await store.replay(randomUUID(), entry(id), async () => undefined)).toEqual({ outcome: 'not_found' });
    expect(await auditFor(id)).toEqual(['dead_letter.discard']);
  });
});
