import type { ConveyorConfig } from '@conveyor/config';
import { uuidv7, type JobRequested, type MessageType } from '@conveyor/contracts';
import type { JobStore } from '@conveyor/database';
import type { Delivery, DeliveryContext, MessagePublisher } from '@conveyor/messaging';
import { CancellationRegistry } from './cancellation/cancellation.registry';
import { JobRunner } from './job-runner.service';
import type { ModelRouter, RouteResult } from './routing/model-router.service';

/** A publisher whose `job.started` confirm is held until the test settles it; everything else confirms at once. */
function heldStartPublisher() {
  const published: MessageType[] = [];
  let settleStart!: (err?: Error) => void;
  const publisher = {
    publish: (type: MessageType) => {
      published.push(type);
      if (type !== 'job.started') return Promise.resolve();
      return new Promise<void>((resolve, reject) => (settleStart = (err) => (err ? reject(err) : resolve())));
    },
  } as unknown as MessagePublisher;
  return { publisher, published, settleStart: (err?: Error) => settleStart(err) };
}

/** A router that calls `onStart` when generation begins, then waits for `finish` or its signal's abort. */
function gatedRouter(onStart: () => void) {
  let finish!: () => void;
  const router = {
    route: (_request: unknown, signal: AbortSignal) =>
      new Promise<RouteResult>((resolve, reject) => {
        onStart();
        signal.addEventListener('abort', () => reject(signal.reason));
        finish = () =>
          resolve({
            text: 'hi',
            finishReason: 'stop',
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
            deployment: { id: 'd', provider: 'simulated' },
            attempts: [],
          } as unknown as RouteResult);
      }),
  } as unknown as ModelRouter;
  return { router, finish: () => finish() };
}

const config = { worker: { id: 'w1' }, streaming: { coalesceMs: 0, coalesceChars: 256 }, broker: { retryMaxAttempts: 3 } } as unknown as ConveyorConfig;
const jobs = { statusOf: async () => 'queued' } as unknown as JobStore;
const job: JobRequested = { job_id: uuidv7(), tenant_id: 't', model: 'm', priority: 'normal', messages: [{ role: 'user', content: 'x' }], params: {}, created_at: new Date().toISOString() };
const ctx = { delivery: { retries: 0 } as Delivery, deliveryCount: 1, signal: new AbortController().signal } as unknown as DeliveryContext;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('JobRunner and the job.started announcement', () => {
  it('starts generating before the broker confirms job.started, and acks only once that confirm is in', async () => {
    const { publisher, published, settleStart } = heldStartPublisher();
    let generating = false;
    const { router, finish } = gatedRouter(() => (generating = true));
    let outcome: unknown = null;
    const running = new JobRunner(router, jobs, config, publisher, new CancellationRegistry()).run(job, ctx).then((o) => (outcome = o));
    await tick();
    expect(generating).toBe(true); // the start's confirm is still outstanding
    finish();
    await tick();
    expect(published).toEqual(['job.started', 'job.completed']);
    expect(outcome).toBeNull(); // the terminal event is out, but the ack waits for the start's confirm
    settleStart();
    await running;
    expect(outcome).toEqual({ action: 'ack' });
  });

  it('aborts generation and retries the job when job.started cannot be published', async () => {
    const { publisher, published, settleStart } = heldStartPublisher();
    const { router } = gatedRouter(() => undefined);
    const running = new JobRunner(router, jobs, config, publisher, new CancellationRegistry()).run(job, ctx);
    await tick();
    settleStart(new Error('broker gone'));
    const outcome = await running;
    expect(outcome).toMatchObject({ action: 'retry' });
    expect((outcome as { reason: string }).reason).toContain('broker gone');
    expect(published).toEqual(['job.started']); // no terminal event for a job whose start was never announced
  });
});
