import { PRIORITY_BANDS } from '@conveyor/contracts';
import { DEFAULT_TOPOLOGY, jobQueue, jobQueues, JobScheduler, type AmqpBrokerClient, type Delivery } from '@conveyor/messaging';
import { deleteNamespace, Inbox, jobMessage, labelOf, testClient, testNamespace, within } from '../../support/amqp.util';

/** The job intake on the real RabbitMQ: push consumers on every shard queue, and the worker's scheduler. */
describe('job intake on RabbitMQ: band order, fair share across shards, pausing (real broker)', () => {
  const namespace = testNamespace();
  let client: AmqpBrokerClient;

  beforeAll(async () => {
    client = testClient(namespace);
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
    await deleteNamespace(namespace);
  });

  /** A scheduler whose jobs take `ms` each and are acked; resolves with the labels in the order they started. */
  async function drain(count: number, options: { concurrency: number; prefetch: number; ms: number }): Promise<string[]> {
    const started: string[] = [];
    const done = new Inbox<true>();
    const scheduler = new JobScheduler(
      client,
      jobQueues(DEFAULT_TOPOLOGY),
      { concurrency: options.concurrency, prefetch: options.prefetch, holdMs: 60_000 },
      async (d: Delivery) => {
        started.push(labelOf(d.body));
        await new Promise((resolve) => setTimeout(resolve, options.ms));
        await d.ack();
        done.push(true);
      },
    );
    await scheduler.start();
    for (let i = 0; i < count; i++) await done.next(20_000);
    await scheduler.stop();
    await scheduler.cancel();
    return started;
  }

  it('drains a backlog high, then normal, then low, FIFO within a shard, whatever the publish order', async () => {
    for (const band of ['low', 'normal', 'high'] as const) {
      for (let i = 0; i < 5; i++) await client.publish(jobMessage(band, `${band}-${i}`));
    }
    // A window wider than each band's backlog: every job is at hand from the start, so the order is the scheduler's
    // alone. (With a narrower window, a higher band's next job arrives one refill after each ack; the scheduler waits
    // for it only a few refill times, a bound a loaded machine can outlast: the unit spec covers that wait.)
    const started = await drain(15, { concurrency: 1, prefetch: 6, ms: 10 });
    expect(started).toEqual(PRIORITY_BANDS.flatMap((band) => [0, 1, 2, 3, 4].map((i) => `${band}-${i}`)));
  });

  it("serves a band's shards in turn: a light tenant's jobs are not held behind a heavy tenant's backlog", async () => {
    for (let i = 0; i < 20; i++) await client.publish(jobMessage('normal', `heavy-${i}`, 0));
    for (let i = 0; i < 3; i++) await client.publish(jobMessage('normal', `light-${i}`, 1));
    const started = await drain(23, { concurrency: 1, prefetch: 2, ms: 10 });
    // Round robin from the first choice on: the light shard's three jobs are among the first seven started.
    expect(started.slice(0, 7).filter((l) => l.startsWith('light-'))).toEqual(['light-0', 'light-1', 'light-2']);
    expect(started.filter((l) => l.startsWith('heavy-'))).toEqual(Array.from({ length: 20 }, (_, i) => `heavy-${i}`));
  });

  it('gives concurrent slots distinct messages, each once', async () => {
    const labels = Array.from({ length: 24 }, (_, i) => `slot-${i}`);
    for (const label of labels) await client.publish(jobMessage('normal', label, 2));
    const started = await drain(24, { concurrency: 8, prefetch: 9, ms: 5 });
    expect([...started].sort()).toEqual([...labels].sort());
  });

  it('keeps what a paused consumer holds unsettled and delivers nothing more until it resumes (basic.cancel, not a channel close)', async () => {
    for (const label of ['p-0', 'p-1', 'p-2']) await client.publish(jobMessage('low', label, 3));
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume(jobQueue('low', 3), 1, inbox.push);
    const first = await inbox.next();
    await subscription.pause();
    await first.ack(); // settling on the paused consumer's channel still works
    await expect(inbox.next(500)).rejects.toThrow(/no message/);
    await subscription.resume();
    const second = await within(5_000, 'a delivery after resuming', inbox.next());
    expect([labelOf(first.body), labelOf(second.body)]).toEqual(['p-0', 'p-1']);
    expect(second.deliveryCount).toBe(1); // the pause handed nothing back
    await second.ack();
    await (await inbox.next()).ack();
    await subscription.cancel();
  });
});
