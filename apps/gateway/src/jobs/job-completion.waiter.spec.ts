import type { ConveyorConfig } from '@conveyor/config';
import type { NewJob } from '@conveyor/contracts';
import type { JobStore } from '@conveyor/database';
import { InProcessBrokerClient, MessagePublisher, replyKeyOf } from '@conveyor/messaging';
import { JobCompletionWaiter, POLL_MS } from './job-completion.waiter';
import { ReplyInbox } from './reply.inbox';
import { completedEvent } from '../../../../test/support/job-events.fixture';

const newJob = { id: '01960000-0000-7000-8000-000000000001', tenantId: 't' } as NewJob;
const completed = completedEvent(newJob.id, 'fast');
/** The row is never written while the test runs: only the event can end the wait. */
const jobs = { findForTenant: async () => null } as unknown as JobStore;
const config = { worker: { id: 'gw-1' } } as unknown as ConveyorConfig;

describe('JobCompletionWaiter over the replica reply queue (in-process broker)', () => {
  let broker: InProcessBrokerClient;
  let inbox: ReplyInbox;
  let publisher: MessagePublisher;

  beforeEach(async () => {
    broker = new InProcessBrokerClient({ maxDeliveries: 3 });
    await broker.connect();
    inbox = new ReplyInbox(broker, config);
    await inbox.onModuleInit();
    publisher = new MessagePublisher(broker);
  });

  afterEach(async () => {
    await inbox.onApplicationShutdown();
    await broker.close();
  });

  it("hears the job's end through the reply key it gave the job, even when the job ends during its own publish", async () => {
    const waiter = new JobCompletionWaiter(inbox, jobs);
    const { job, end } = await waiter.submitAndWait(
      't',
      async ({ beforePublish, replyTo }) => {
        expect(replyTo).toBe(replyKeyOf('gw-1'));
        await beforePublish!(newJob);
        // The worker and persistence were faster than anything after the publish: the end is CC'd to the reply key.
        await publisher.publish('job.completed', completed, { cc: [replyTo!] });
        return newJob;
      },
      new AbortController().signal,
    );
    expect(job).toBe(newJob);
    expect(end).toMatchObject({ status: 'completed', result: { message: { content: 'fast' } } });
  });

  it("does not hear another replica's ends", async () => {
    const waiter = new JobCompletionWaiter(inbox, jobs);
    const gone = new AbortController();
    const waiting = waiter.submitAndWait(
      't',
      async ({ beforePublish }) => {
        await beforePublish!(newJob);
        await publisher.publish('job.completed', completed, { cc: [replyKeyOf('gw-2')] });
        setTimeout(() => gone.abort(), 100);
        return newJob;
      },
      gone.signal,
    );
    await expect(waiting).resolves.toMatchObject({ end: null });
  });

  it('stops expecting the job when it is not accepted', async () => {
    const waiter = new JobCompletionWaiter(inbox, jobs);
    const refused = waiter.submitAndWait(
      't',
      async ({ beforePublish }) => {
        await beforePublish!(newJob);
        throw new Error('broker unavailable');
      },
      new AbortController().signal,
    );
    await expect(refused).rejects.toThrow('broker unavailable');
    expect((inbox as unknown as { waiting: Map<string, unknown> }).waiting.size).toBe(0);
  });

  describe('reading the row', () => {
    const completedRow = { id: newJob.id, status: 'completed', result: completed.result, completedAt: new Date(completed.completed_at) };
    /** A submit whose job's end event reaches this replica 50 ms after its publish. */
    const endingAfter50Ms = (waiter: JobCompletionWaiter) =>
      waiter.submitAndWait(
        't',
        async ({ beforePublish, replyTo }) => {
          await beforePublish!(newJob);
          setTimeout(() => void publisher.publish('job.completed', completed, { cc: [replyTo!] }), 50);
          return newJob;
        },
        new AbortController().signal,
      );
    const counting = (row: unknown) => {
      const reads: number[] = [];
      const store = { findForTenant: async () => (reads.push(Date.now()), row) } as unknown as JobStore;
      return { store, reads };
    };

    it('does not read the row of a job whose end arrives as an event', async () => {
      const { store, reads } = counting(null);
      const waiter = new JobCompletionWaiter(inbox, store);
      const { end } = await endingAfter50Ms(waiter);
      expect(end).toMatchObject({ status: 'completed' });
      expect(reads).toEqual([]);
    });

    it('clears its backstop timer as soon as the end arrives, leaving none running', async () => {
      const set = jest.spyOn(global, 'setTimeout');
      const cleared = jest.spyOn(global, 'clearTimeout');
      try {
        const waiter = new JobCompletionWaiter(inbox, counting(completedRow).store);
        await endingAfter50Ms(waiter);
        const backstops = set.mock.calls.flatMap((call, i) => (call[1] === POLL_MS ? [set.mock.results[i]!.value] : []));
        expect(backstops).toHaveLength(1);
        expect(cleared).toHaveBeenCalledWith(backstops[0]);
      } finally {
        set.mockRestore();
        cleared.mockRestore();
      }
    });

    it('ends a wait whose event went missing from the row, after the backstop interval', async () => {
      const { store, reads } = counting(completedRow);
      const waiter = new JobCompletionWaiter(inbox, store);
      const started = Date.now();
      const { end } = await waiter.submitAndWait('t', async ({ beforePublish }) => (await beforePublish!(newJob), newJob), new AbortController().signal);
      expect(end).toMatchObject({ status: 'completed', result: { message: { content: 'fast' } } });
      expect(reads).toHaveLength(1);
      expect(reads[0]! - started).toBeGreaterThanOrEqual(POLL_MS - 5);
    });

    it('reads the row of a replayed job at once: it published nothing now and may have ended long ago', async () => {
      const { store, reads } = counting(completedRow);
      const waiter = new JobCompletionWaiter(inbox, store);
      const started = Date.now();
      const { end } = await waiter.submitAndWait('t', async ({ beforePublish }) => (await beforePublish!(newJob, true), newJob), new AbortController().signal);
      expect(end).toMatchObject({ status: 'completed' });
      expect(reads).toHaveLength(1);
      expect(reads[0]! - started).toBeLessThan(POLL_MS / 2);
    });
  });
});
