import { loadConfig } from '@conveyor/config';
import type { ChatCompletionRequest } from '@conveyor/contracts';
import type { JobStore } from '@conveyor/database';
import { BrokerUnavailableError, type MessagePublisher } from '@conveyor/messaging';
import type { JobMetrics } from '@conveyor/metrics';
import type { JobEventRouter } from '@conveyor/stream';
import type { TerminalEventPublisher } from '@conveyor/webhooks';
import type { AdmissionService } from '../admission/admission.service';
import { JobsService } from './jobs.service';
import type { UnacceptedJobsReaper } from './unaccepted-jobs.reaper';

const JOB_ID = '01960000-0000-7000-8000-0000000000aa';
const REQUEST = { model: 'simulated', messages: [{ role: 'user', content: 'hi' }] } as ChatCompletionRequest;

/** A JobsService whose publish fails with `failure`, recording what it stored, removed and counted. */
function serviceFailingWith(failure: Error) {
  const seen = { inserted: [] as string[], removed: [] as string[], enqueued: [] as string[], submitted: 0 };
  const jobs = {
    insert: async (job: { id: string }) => void seen.inserted.push(job.id),
    markEnqueued: async (id: string) => void seen.enqueued.push(id),
  } as unknown as JobStore;
  const publisher = {
    isReady: () => true,
    publish: async () => {
      throw failure;
    },
  } as unknown as MessagePublisher;
  const admission = { admit: async () => ({ jobId: JOB_ID, priority: 'normal', replay: null }) } as unknown as AdmissionService;
  const reaper = { remove: (id: string) => void seen.removed.push(id) } as unknown as UnacceptedJobsReaper;
  const router = { watchesText: () => false } as unknown as JobEventRouter;
  const metrics = { submitted: () => void seen.submitted++ } as unknown as JobMetrics;
  const service = new JobsService(jobs, loadConfig({}), publisher, admission, reaper, router, metrics, {} as TerminalEventPublisher);
  return { service, seen };
}

describe('JobsService.submit when the publish fails', () => {
  it.each([
    ['the broker refused it', new BrokerUnavailableError('the broker nacked the message', 'nacked')],
    ['no queue took it', new BrokerUnavailableError('no queue took it', 'unroutable')],
    ['nothing was written', new BrokerUnavailableError('not connected to the broker', 'disconnected')],
  ])('refuses the job and removes its row when %s', async (_why, failure) => {
    const { service, seen } = serviceFailingWith(failure);
    await expect(service.submit('tenant-a', REQUEST)).rejects.toBe(failure);
    expect(seen).toEqual({ inserted: [JOB_ID], removed: [JOB_ID], enqueued: [], submitted: 0 });
  });

  it.each([
    ['its confirm timed out', new BrokerUnavailableError('no confirm within 3000 ms', 'confirm_timeout')],
    ['the channel closed after it was written', new BrokerUnavailableError('publish channel closed before the confirm', 'unconfirmed')],
  ])('accepts the job, keeping its row unmarked for the orphan sweep, when %s', async (_why, failure) => {
    const { service, seen } = serviceFailingWith(failure);
    await expect(service.submit('tenant-a', REQUEST)).resolves.toMatchObject({ id: JOB_ID, tenantId: 'tenant-a' });
    expect(seen).toEqual({ inserted: [JOB_ID], removed: [], enqueued: [], submitted: 1 });
  });
});
