import type { JobStore, NewJob } from '@conveyor/database';
import type { JobEventListener, JobEventRouter } from '../../../streaming/src/stream/job-event.router';
import { JobCompletionWaiter } from './job-completion.waiter';

/** A router that delivers events to whoever watches the job at the moment they are emitted, like a broker binding. */
function fakeRouter() {
  const watchers = new Map<string, JobEventListener>();
  const log: string[] = [];
  const router = {
    watch: async (jobId: string, listener: JobEventListener) => {
      log.push('bind');
      watchers.set(jobId, listener);
      return async () => void (log.push('unbind'), watchers.delete(jobId));
    },
  } as unknown as JobEventRouter;
  const completed = (jobId: string) => ({
    type: 'job.completed' as const,
    payload: {
      job_id: jobId,
      tenant_id: 't',
      attempt: 1,
      worker_id: 'w',
      started_at: '2026-01-01T00:00:00.000Z',
      completed_at: '2026-01-01T00:00:01.000Z',
      result: { message: { role: 'assistant' as const, content: 'fast' }, finish_reason: 'stop' as const, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, provider: 'p', model: 'm' },
    },
  });
  const emit = (jobId: string) => watchers.get(jobId)?.(completed(jobId), true);
  return { router, emit, log };
}

/** The row is never written while the test runs: only the event can end the wait. */
const jobs = { findForTenant: async () => null } as unknown as JobStore;
const newJob = { id: '01960000-0000-7000-8000-000000000001', tenantId: 't' } as NewJob;

describe('JobCompletionWaiter.submitAndWait', () => {
  it('is bound before the job is published, so a job that ends during its own publish is still seen', async () => {
    const { router, emit, log } = fakeRouter();
    const waiter = new JobCompletionWaiter(router, jobs);
    const { job, outcome } = await waiter.submitAndWait(
      't',
      async (beforePublish) => {
        await beforePublish(newJob);
        log.push('publish');
        emit(newJob.id); // the worker was faster than anything after the publish
        return newJob;
      },
      new AbortController().signal,
    );
    expect(job).toBe(newJob);
    expect(outcome).toMatchObject({ status: 'completed', result: { message: { content: 'fast' } } });
    expect(log).toEqual(['bind', 'publish', 'unbind']);
  });

  it('releases the binding when the job is not accepted', async () => {
    const { router, log } = fakeRouter();
    const waiter = new JobCompletionWaiter(router, jobs);
    const refused = waiter.submitAndWait(
      't',
      async (beforePublish) => {
        await beforePublish(newJob);
        throw new Error('broker unavailable');
      },
      new AbortController().signal,
    );
    await expect(refused).rejects.toThrow('broker unavailable');
    expect(log).toEqual(['bind', 'unbind']);
  });
});
