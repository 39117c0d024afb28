import { allOfType } from '@conveyor/contracts';
import { Exchanges, InProcessBrokerClient, MessagePublisher, type Subscription } from '@conveyor/messaging';
import { JobEventRouter, type JobEvent } from './job-event.router';

const JOB = '01960000-0000-7000-8000-0000000000a1';
const started = { job_id: JOB, tenant_id: 't', attempt: 1, worker_id: 'w', started_at: '2026-01-01T00:00:00.000Z' };
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

describe('JobEventRouter and the workers’ job.watch (in-process broker)', () => {
  let broker: InProcessBrokerClient;
  let publisher: MessagePublisher;
  let router: JobEventRouter;
  let workers: Subscription;
  /** The `job.watch` broadcasts a worker would hear, by job id. */
  let watches: string[];

  beforeEach(async () => {
    broker = new InProcessBrokerClient({ maxDeliveries: 3 });
    await broker.connect();
    publisher = new MessagePublisher(broker);
    router = new JobEventRouter(broker, publisher);
    await router.onModuleInit();
    watches = [];
    workers = await broker.listen(Exchanges.events, allOfType('job.watch'), (m) => watches.push(JSON.parse(m.body.toString()).job_id));
  });

  afterEach(async () => {
    await workers.cancel();
    await router.onApplicationShutdown();
    await broker.close();
  });

  it('tells the workers once bound, and again when the job starts (it may have been queued when first told)', async () => {
    const heard: string[] = [];
    const release = await router.watch(JOB, (event) => heard.push(event.type));
    expect(router.watchesText(JOB)).toBe(true);
    await settle();
    expect(watches).toEqual([JOB]);
    await publisher.publish('job.started', started);
    await settle();
    expect(heard).toEqual(['job.started']);
    expect(watches).toEqual([JOB, JOB]);
    await release();
    expect(router.watchesText(JOB)).toBe(false);
  });

  it('tells no worker for a job this replica is about to submit with `stream` set, nor on its start', async () => {
    const release = await router.watch(JOB, () => undefined, { announce: false });
    expect(router.watchesText(JOB)).toBe(true);
    await publisher.publish('job.started', started);
    await settle();
    expect(watches).toEqual([]);
    await release();
  });

  it('a watcher of the end alone asks for no text', async () => {
    const release = await router.watch(JOB, () => undefined, { text: false });
    expect(router.watchesText(JOB)).toBe(false);
    await publisher.publish('job.started', started);
    await settle();
    expect(watches).toEqual([]);
    await release();
  });

  it("relays each chunk of a several-jobs job.deltas to its own job's watchers, and the unwatched jobs' to nobody", async () => {
    const OTHER = '01960000-0000-7000-8000-0000000000a2';
    const UNWATCHED = '01960000-0000-7000-8000-0000000000a3';
    const heard: Array<[string, number]> = [];
    const record = (event: JobEvent) => {
      if (event.type === 'job.delta') heard.push([event.payload.job_id, event.payload.seq]);
    };
    const releases = [await router.watch(JOB, record), await router.watch(OTHER, record)];
    const chunk = (jobId: string, seq: number) => ({ job_id: jobId, tenant_id: 't', attempt: 1, seq, content: `${seq}` });
    const chunks = [chunk(UNWATCHED, 0), chunk(JOB, 0), chunk(OTHER, 0), chunk(JOB, 1)];
    await publisher.publish('job.deltas', { chunks }, { cc: [`job.deltas.${JOB}`, `job.deltas.${OTHER}`] });
    await settle();
    expect(heard).toEqual([
      [JOB, 0],
      [OTHER, 0],
      [JOB, 1],
    ]);
    await Promise.all(releases.map((release) => release()));
  });

  it('counts text watchers: the job stays watched until the last one leaves', async () => {
    const first = await router.watch(JOB, () => undefined);
    const second = await router.watch(JOB, () => undefined);
    await first();
    await first(); // a second release of the same watch changes nothing
    expect(router.watchesText(JOB)).toBe(true);
    await second();
    expect(router.watchesText(JOB)).toBe(false);
    expect(router.boundJobs().size).toBe(0);
  });
});
