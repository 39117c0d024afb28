import type { BrokerClient, Delivery, PausableSubscription } from '../broker-client.port';
import { jobQueues } from '../topology';
import { JobScheduler, WEIGHT_HEADER, type JobSlot } from './job-scheduler';

/** A broker whose queues push what the test says; records pauses and resumes per queue. */
function fakeBroker() {
  const push = new Map<string, (d: Delivery) => void>();
  const paused = new Set<string>();
  const broker = {
    consume: async (queue: string, _prefetch: number, onDelivery: (d: Delivery) => void): Promise<PausableSubscription> => {
      push.set(queue, onDelivery);
      return {
        pause: async () => void paused.add(queue),
        resume: async () => void paused.delete(queue),
        cancel: async () => void push.delete(queue),
      };
    },
  } as unknown as BrokerClient;
  let n = 0;
  const deliver = (queue: string, headers: Record<string, unknown> = {}) => {
    const label = `${queue.replace('conveyor.jobs.', '')}#${n++}`;
    push.get(queue)!({ queue, messageId: label, headers } as Delivery);
    return label;
  };
  /** Deliveries are weighed at the end of the event-loop turn they arrived in. */
  const arrive = () => new Promise((resolve) => setImmediate(resolve));
  return { broker, deliver, arrive, paused };
}

/** Jobs that run until the test ends them, in the order they started. */
function gatedJobs() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const run = (d: Delivery) => {
    started.push(d.messageId!);
    return new Promise<void>((resolve) => gates.set(d.messageId!, resolve));
  };
  const finish = async (label: string) => {
    gates.get(label)!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { run, started, finish };
}

const QUEUES = jobQueues({ jobShards: 2 });
const [HIGH0, , NORMAL0, NORMAL1, LOW0] = QUEUES as [string, string, string, string, string, string];

describe('JobScheduler', () => {
  afterEach(() => jest.useRealTimers());

  describe('slots given up and taken back (a job waiting in a batching window)', () => {
    it('a job that gives its slot up lets the next start; taking it back waits behind higher bands, ahead of its own', async () => {
      const { broker, deliver, arrive } = fakeBroker();
      const started: string[] = [];
      const slots = new Map<string, JobSlot>();
      const gates = new Map<string, () => void>();
      const run = (d: Delivery, slot: JobSlot) => {
        started.push(d.messageId!);
        slots.set(d.messageId!, slot);
        return new Promise<void>((resolve) => gates.set(d.messageId!, resolve));
      };
      const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 10, holdMs: 60_000 }, run);
      await scheduler.start();
      const parked = deliver(NORMAL0);
      await arrive();
      expect(started).toEqual([parked]);
      slots.get(parked)!.release();
      const next = deliver(LOW0);
      await arrive();
      expect(started).toEqual([parked, next]);
      expect(scheduler.load.running).toBe(1);

      // The slot is busy: the parked job's claim waits; a high job that arrives meanwhile goes first, a normal one after.
      let reacquired = false;
      void slots
        .get(parked)!
        .acquire()
        .then(() => (reacquired = true));
      const high = deliver(HIGH0);
      const normal = deliver(NORMAL1);
      await arrive();
      gates.get(next)!();
      await arrive();
      await arrive();
      expect(started).toEqual([parked, next, high]);
      expect(reacquired).toBe(false);
      gates.get(high)!();
      await arrive();
      await arrive();
      expect(reacquired).toBe(true);
      expect(started).toEqual([parked, next, high]);
      gates.get(parked)!();
      await arrive();
      await arrive();
      expect(started).toEqual([parked, next, high, normal]);
      expect(scheduler.load.running).toBe(1);
    });
  });

  it('starts what it holds strictly by band: high, then normal, then low', async () => {
    const { broker, deliver, arrive } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 10, holdMs: 60_000 }, jobs.run);
    await scheduler.start();
    const first = deliver(LOW0);
    await arrive();
    const low = deliver(LOW0);
    const normal = deliver(NORMAL0);
    const high = deliver(HIGH0);
    await arrive();
    expect(jobs.started).toEqual([first]);
    await jobs.finish(first);
    await jobs.finish(high);
    await jobs.finish(normal);
    expect(jobs.started).toEqual([first, high, normal, low]);
  });

  it("waits for the delivery the broker owes a higher band (its window was full) before starting a lower band's job", async () => {
    const { broker, deliver, arrive } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 2, holdMs: 60_000 }, jobs.run);
    await scheduler.start();
    const n0 = deliver(NORMAL0);
    const n1 = deliver(NORMAL0); // the window (2) is full: the queue had more
    const low = deliver(LOW0);
    await arrive();
    await jobs.finish(n0); // the broker now owes normal a delivery, one round trip away
    await jobs.finish(n1);
    expect(jobs.started).toEqual([n0, n1]); // low waits for it
    const n2 = deliver(NORMAL0);
    await arrive();
    await jobs.finish(n2);
    expect(jobs.started).toEqual([n0, n1, n2, low]);
    await scheduler.stop();
  });

  it('writes an owed delivery off after a few refill times, when the queue had emptied after all', async () => {
    const { broker, deliver, arrive } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 2, holdMs: 60_000 }, jobs.run);
    await scheduler.start();
    const n0 = deliver(NORMAL0);
    const n1 = deliver(NORMAL0);
    const low = deliver(LOW0);
    await arrive();
    await jobs.finish(n0);
    await jobs.finish(n1);
    expect(jobs.started).toEqual([n0, n1]);
    await new Promise((resolve) => setTimeout(resolve, 250)); // past REFILL_WAIT_MAX_MS
    expect(jobs.started).toEqual([n0, n1, low]);
    await scheduler.stop();
  });

  it('owes nothing for a window that was never full: the queue ran dry, and a lower band starts at once', async () => {
    const { broker, deliver, arrive } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 3, holdMs: 60_000 }, jobs.run);
    await scheduler.start();
    const n0 = deliver(NORMAL0);
    const low = deliver(LOW0);
    await arrive();
    await jobs.finish(n0);
    expect(jobs.started).toEqual([n0, low]);
    await scheduler.stop();
  });

  it('weighs deliveries that arrive together: a high job right behind a low one still goes first', async () => {
    const { broker, deliver, arrive } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 10, holdMs: 60_000 }, jobs.run);
    await scheduler.start();
    deliver(LOW0);
    const high = deliver(HIGH0);
    await arrive();
    expect(jobs.started).toEqual([high]);
  });

  it("serves a band's shards in turn, so one tenant's backlog does not hold another's jobs back", async () => {
    const { broker, deliver, arrive } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 100, holdMs: 60_000 }, jobs.run);
    await scheduler.start();
    const heavy = Array.from({ length: 6 }, () => deliver(NORMAL0));
    const light = [deliver(NORMAL1), deliver(NORMAL1)];
    await arrive();
    for (let i = 0; i < 8; i++) await jobs.finish(jobs.started.at(-1)!);
    expect(jobs.started).toEqual([heavy[0], light[0], heavy[1], light[1], heavy[2], heavy[3], heavy[4], heavy[5]]);
  });

  it("gives each shard its tenants' weight: weight 2 is served twice as often as weight 1", async () => {
    const { broker, deliver, arrive } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 100, holdMs: 60_000 }, jobs.run);
    await scheduler.start();
    for (let i = 0; i < 20; i++) deliver(NORMAL0, { [WEIGHT_HEADER]: 2 });
    for (let i = 0; i < 20; i++) deliver(NORMAL1);
    await arrive();
    for (let i = 0; i < 15; i++) await jobs.finish(jobs.started.at(-1)!);
    const served = jobs.started.slice(1, 16);
    expect(served.filter((l) => l.startsWith('normal.0')).length).toBe(10);
    expect(served.filter((l) => l.startsWith('normal.1')).length).toBe(5);
  });

  it('lets a shard that had nothing rejoin at the current turn, without a burst for the turns it missed', async () => {
    const { broker, deliver, arrive } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 100, holdMs: 60_000 }, jobs.run);
    await scheduler.start();
    const heavy = Array.from({ length: 8 }, () => deliver(NORMAL0));
    await arrive();
    for (let i = 0; i < 5; i++) await jobs.finish(jobs.started.at(-1)!);
    const late = [deliver(NORMAL1), deliver(NORMAL1), deliver(NORMAL1)];
    await arrive();
    for (let i = 0; i < 4; i++) await jobs.finish(jobs.started.at(-1)!);
    // Without the rejoin rule the late shard would be owed five turns, and run all three of its jobs in a row.
    expect(jobs.started.slice(6, 10)).toEqual([late[0], heavy[6], late[1], heavy[7]]);
  });

  it('stops taking deliveries when a held job waits holdMs with every slot busy, and takes them again once it has room', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { broker, deliver, arrive, paused } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 10, holdMs: 250 }, jobs.run);
    await scheduler.start();
    const running = deliver(NORMAL0);
    const held = deliver(NORMAL0);
    await arrive();
    jest.advanceTimersByTime(249);
    expect(paused.size).toBe(0);
    jest.advanceTimersByTime(1);
    expect([...paused].sort()).toEqual([...QUEUES].sort());
    gatedFinish(jobs, running);
    await flush();
    expect(jobs.started).toEqual([running, held]);
    expect(paused.size).toBe(6); // the held job runs now, but the slot is busy again
    gatedFinish(jobs, held);
    await flush();
    expect(paused.size).toBe(0);
    expect(scheduler.load).toEqual({ running: 0, held: 0, paused: false });
  });

  it('never pauses when held jobs start within holdMs (fast jobs)', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const { broker, deliver, arrive, paused } = fakeBroker();
    const jobs = gatedJobs();
    const scheduler = new JobScheduler(broker, QUEUES, { concurrency: 1, prefetch: 10, holdMs: 250 }, jobs.run);
    await scheduler.start();
    let label = deliver(NORMAL0);
    await arrive();
    for (let i = 0; i < 20; i++) {
      const nextLabel = deliver(NORMAL0);
      await arrive();
      jest.advanceTimersByTime(100);
      gatedFinish(jobs, label);
      await flush();
      label = nextLabel;
    }
    jest.advanceTimersByTime(200);
    expect(paused.size).toBe(0);
  });
});

function gatedFinish(jobs: ReturnType<typeof gatedJobs>, label: string): void {
  void jobs.finish(label);
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
