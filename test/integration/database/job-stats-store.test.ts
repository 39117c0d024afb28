import { randomUUID } from 'node:crypto';
import type { ProviderAttempt } from '@conveyor/contracts';
import { PostgresClient, PostgresJobStatsStore, PostgresJobStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { completedEvent, failedEvent, newJob, startedEvent, uniqueTenant } from './jobs.fixture';

const call = (deployment: string, outcome: ProviderAttempt['outcome'], message?: string): ProviderAttempt => ({
  deployment,
  provider: 'openai',
  upstream_model: 'm',
  outcome,
  latency_ms: 5,
  ...(message && { error: { message, status: 503 } }),
});

/** The aggregate reads of seed 004's /stats and /health/full, on the real PostgreSQL. */
describe('PostgresJobStatsStore', () => {
  let dataSource: DataSource;
  let jobs: PostgresJobStore;
  let stats: PostgresJobStatsStore;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    const db = PostgresClient.of(dataSource);
    jobs = new PostgresJobStore(db);
    stats = new PostgresJobStatsStore(db);
  });
  afterAll(() => dataSource.destroy());

  const now = () => new Date().toISOString();

  it("counts one tenant's jobs by status, every status present", async () => {
    const tenant = uniqueTenant();
    expect(await stats.countByStatus(tenant)).toEqual({ queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, expired: 0 });
    const [a, b, c, d] = [newJob(tenant), newJob(tenant), newJob(tenant), newJob(uniqueTenant())];
    for (const job of [a!, b!, c!, d!]) await jobs.insert(job);
    await jobs.markStarted(startedEvent(b!, 1, 'w', now()));
    await jobs.markCompleted(completedEvent(c!, 'done', { startedAt: now(), completedAt: now() }));
    expect(await stats.countByStatus(tenant)).toEqual({ queued: 1, running: 1, completed: 1, failed: 0, cancelled: 0, expired: 0 });
  });

  it('counts the distinct workers running a job now, whatever the tenant', async () => {
    const before = await stats.busyWorkers();
    const [w1, w2] = [`w-${randomUUID()}`, `w-${randomUUID()}`];
    const started = [newJob(uniqueTenant()), newJob(uniqueTenant()), newJob(uniqueTenant())];
    for (const job of started) await jobs.insert(job);
    await jobs.markStarted(startedEvent(started[0]!, 1, w1, now()));
    await jobs.markStarted(startedEvent(started[1]!, 1, w1, now()));
    await jobs.markStarted(startedEvent(started[2]!, 1, w2, now()));
    expect(await stats.busyWorkers()).toBe(before + 2);
    await jobs.markCompleted(completedEvent(started[2]!, 'x', { startedAt: now(), completedAt: now() }));
    expect(await stats.busyWorkers()).toBe(before + 1);
  });

  it("sums each deployment's recent calls from the jobs' attempts logs, with its latest outcome", async () => {
    const [up, down] = [`up-${randomUUID()}`, `down-${randomUUID()}`];
    const tenant = uniqueTenant();
    const t = Date.now();
    const older = newJob(tenant, t - 2_000);
    const newer = newJob(tenant, t - 1_000);
    const outside = newJob(tenant, t - 3_600_000); // before the window
    for (const job of [older, newer, outside]) await jobs.insert(job);
    await jobs.markCompleted({
      ...completedEvent(older, 'a', { startedAt: now(), completedAt: now() }),
      attempts_log: [call(down, 'error', 'boom'), call(up, 'ok')],
    });
    await jobs.markFailed({ ...failedEvent(newer, now()), attempts_log: [call(up, 'ok'), call(up, 'error', 'late'), call(down, 'error', 'again')] });
    await jobs.markCompleted({ ...completedEvent(outside, 'old', { startedAt: now(), completedAt: now() }), attempts_log: [call(up, 'ok')] });

    const outcomes = (await stats.deploymentOutcomes(new Date(t - 60_000), 1_000)).filter((o) => o.deployment === up || o.deployment === down);
    expect(outcomes).toEqual([
      { deployment: down, calls: 2, errors: 2, lastOutcome: 'error', lastAt: expect.any(Date), lastError: 'again' },
      { deployment: up, calls: 3, errors: 1, lastOutcome: 'error', lastAt: expect.any(Date), lastError: 'late' },
    ]);
    // The window is a range of job ids (UUIDv7): one that starts between the two jobs leaves the older one out.
    const newest = (await stats.deploymentOutcomes(new Date(t - 1_500), 1_000)).filter((o) => o.deployment === up || o.deployment === down);
    expect(newest.map((o) => [o.deployment, o.calls])).toEqual([
      [down, 1],
      [up, 2],
    ]);
  });

  it("aggregates one tenant's jobs in a window: per bucket, per band, provider errors per model and deployment", async () => {
    const tenant = uniqueTenant();
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const at = (offsetMs: number) => new Date(minute + offsetMs).toISOString();
    const high = { ...newJob(tenant, minute + 1_000), priority: 'high' as const };
    const normal = newJob(tenant, minute + 2_000);
    const failed = newJob(tenant, minute + 61_000);
    const before = newJob(tenant, minute - 120_000); // outside the window
    const otherTenant = newJob(uniqueTenant(), minute + 3_000);
    for (const job of [high, normal, failed, before, otherTenant]) await jobs.insert(job);
    // Queue waits of 100 and 300 ms; end-to-end latencies of 1100 and 2300 ms.
    await jobs.markCompleted(completedEvent(high, 'a', { startedAt: at(1_100), completedAt: at(2_100) }));
    await jobs.markCompleted({
      ...completedEvent(normal, 'b', { startedAt: at(2_300), completedAt: at(4_300) }),
      attempts_log: [call('dep-a', 'error', 'x'), call('dep-b', 'ok')],
    });
    await jobs.markStarted(startedEvent(failed, 1, 'w', at(61_500)));
    await jobs.markFailed({ ...failedEvent(failed, at(62_000)), attempts_log: [call('dep-a', 'error', 'y'), call('dep-a', 'error', 'z')] });
    await jobs.markCompleted(completedEvent(before, 'old', { startedAt: at(-119_000), completedAt: at(-118_000) }));
    await jobs.markCompleted({
      ...completedEvent(otherTenant, 'c', { startedAt: at(3_100), completedAt: at(3_200) }),
      attempts_log: [call('dep-a', 'error', 'o')],
    });

    const analytics = await stats.tenantAnalytics(tenant, new Date(minute), 'minute');
    expect(analytics.series).toEqual([
      { at: new Date(minute), requests: 2, completed: 2, failed: 0, promptTokens: 6, completionTokens: 10 },
      { at: new Date(minute + 60_000), requests: 1, completed: 0, failed: 1, promptTokens: 0, completionTokens: 0 },
    ]);
    const bands = [...analytics.bands].sort((a, b) => a.priority.localeCompare(b.priority));
    expect(bands).toEqual([
      { priority: 'high', jobs: 1, latencyMs: { p50: 1100, p95: 1100, p99: 1100 }, queueWaitMs: { p50: 100, p95: 100, p99: 100 } },
      // Two started jobs (300 and 500 ms of queue wait), one completed (2300 ms end to end).
      { priority: 'normal', jobs: 2, latencyMs: { p50: 2300, p95: 2300, p99: 2300 }, queueWaitMs: { p50: 400, p95: 490, p99: 498 } },
    ]);
    expect(analytics.errors).toEqual([{ model: 'simulated', deployment: 'dep-a', errors: 3 }]);
    expect(await stats.tenantAnalytics(uniqueTenant(), new Date(minute), 'hour')).toEqual({ series: [], bands: [], errors: [] });
  });
});
