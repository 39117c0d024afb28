import { type NewJob } from '@conveyor/contracts';
import { PostgresClient, PostgresJobStore, PostgresUsageStore } from '@conveyor/database';
import type { JobCompleted } from '@conveyor/contracts';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { cancelledEvent, completedEvent, failedEvent, newJob, uniqueTenant } from '../database/jobs.fixture';

const STARTED = '2026-03-01T09:00:00.000Z';
const MAR_1 = '2026-03-01T10:00:00.000Z';
const MAR_2 = '2026-03-02T10:00:00.000Z';
const MAR_3 = '2026-03-03T10:00:00.000Z';

describe('usage totals per tenant and model, recorded as jobs end (PostgreSQL)', () => {
  let dataSource: DataSource;
  let jobs: PostgresJobStore;
  let usage: PostgresUsageStore;
  let tenant: string;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    jobs = new PostgresJobStore(PostgresClient.of(dataSource));
    usage = new PostgresUsageStore(PostgresClient.of(dataSource));
  });
  afterAll(() => dataSource.destroy());
  beforeEach(() => {
    tenant = uniqueTenant();
  });

  async function inserted(model = 'simulated', forTenant = tenant): Promise<NewJob> {
    const job = { ...newJob(forTenant), model };
    await jobs.insert(job);
    return job;
  }

  /** Completes `job` at `at` with the given usage (fixture's result otherwise). */
  function completed(job: NewJob, at: string, tokens: [number, number], estimated = false): JobCompleted {
    const event = completedEvent(job, 'answer', { startedAt: STARTED, completedAt: at });
    const [prompt, completion] = tokens;
    return {
      ...event,
      result: {
        ...event.result,
        model: job.model,
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
        ...(estimated && { usage_estimated: true }),
      },
    };
  }

  it('sums completed jobs per model, marks estimated tokens, and totals nothing for a tenant without jobs', async () => {
    const a = await inserted('gpt-4o');
    const b = await inserted('gpt-4o');
    const c = await inserted('quality');
    expect(await jobs.markCompleted(completed(a, MAR_1, [10, 5]))).toBe(true);
    expect(await jobs.markCompleted(completed(b, MAR_1, [20, 7], true))).toBe(true);
    expect(await jobs.markCompleted(completed(c, MAR_2, [3, 4]))).toBe(true);
    expect(await usage.totalsForTenant(tenant, {})).toEqual([
      { model: 'gpt-4o', requests: 2, promptTokens: 30, completionTokens: 12, totalTokens: 42, estimatedTokens: 27 },
      { model: 'quality', requests: 1, promptTokens: 3, completionTokens: 4, totalTokens: 7, estimatedTokens: 0 },
    ]);
    expect(await usage.totalsForTenant(uniqueTenant(), {})).toEqual([]);
  });

  it('counts a job once however often its completion is redelivered, and never after another terminal state', async () => {
    const job = await inserted();
    const event = completed(job, MAR_1, [10, 5]);
    expect(await jobs.markCompleted(event)).toBe(true);
    expect(await jobs.markCompleted(event)).toBe(false);
    expect(await jobs.markCompleted({ ...event, attempt: 2 })).toBe(false);
    const failedFirst = await inserted();
    expect(await jobs.markFailed(failedEvent(failedFirst, MAR_1))).toBe(true);
    expect(await jobs.markCompleted(completed(failedFirst, MAR_1, [99, 99]))).toBe(false);
    expect(await usage.totalsForTenant(tenant, {})).toEqual([
      { model: 'simulated', requests: 1, promptTokens: 10, completionTokens: 5, totalTokens: 15, estimatedTokens: 0 },
    ]);
  });

  it('counts the estimated partial usage of a job cancelled mid-generation, but nothing for one cancelled while queued', async () => {
    const running = await inserted();
    const partial = { content: 'Hel', usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 } };
    expect(await jobs.markCancelled({ ...cancelledEvent(running, MAR_1), partial })).toBe(true);
    expect(await jobs.markCancelled({ ...cancelledEvent(running, MAR_1), partial })).toBe(false);
    const queued = await inserted();
    expect(await jobs.markCancelled(cancelledEvent(queued, MAR_1))).toBe(true);
    expect(await usage.totalsForTenant(tenant, {})).toEqual([
      { model: 'simulated', requests: 1, promptTokens: 8, completionTokens: 1, totalTokens: 9, estimatedTokens: 9 },
    ]);
  });

  it('keeps tenants apart', async () => {
    const mine = await inserted();
    const other = uniqueTenant();
    const theirs = await inserted('simulated', other);
    await jobs.markCompleted(completed(mine, MAR_1, [1, 1]));
    await jobs.markCompleted(completed(theirs, MAR_1, [50, 50]));
    expect((await usage.totalsForTenant(tenant, {}))[0]).toMatchObject({ requests: 1, totalTokens: 2 });
    expect((await usage.totalsForTenant(other, {}))[0]).toMatchObject({ requests: 1, totalTokens: 100 });
  });

  it('filters by when jobs ended: since inclusive, until exclusive', async () => {
    for (const at of [MAR_1, MAR_2, MAR_3]) await jobs.markCompleted(completed(await inserted(), at, [1, 0]));
    const requestsIn = async (since?: string, until?: string) =>
      (await usage.totalsForTenant(tenant, { since: since ? new Date(since) : undefined, until: until ? new Date(until) : undefined }))[0]?.requests ?? 0;
    expect(await requestsIn(MAR_2)).toBe(2);
    expect(await requestsIn(undefined, MAR_2)).toBe(1);
    expect(await requestsIn(MAR_1, MAR_3)).toBe(2);
    expect(await requestsIn('2026-03-04T00:00:00Z')).toBe(0);
  });
});
