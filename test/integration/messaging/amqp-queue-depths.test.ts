import { DEFAULT_TOPOLOGY, jobQueue, type AmqpBrokerClient, type Delivery } from '@conveyor/messaging';
import { deleteNamespace, jobMessage, testClient, testNamespace } from '../../support/amqp.util';

const shards = (band: string) => Array.from({ length: DEFAULT_TOPOLOGY.jobShards }, (_, k) => `conveyor.jobs.${band}.${k}`);

/** Queue depths as RabbitMQ itself reports them (a passive declare per shard queue), for seed 004's /stats. */
describe('AmqpBrokerClient queueDepths (RabbitMQ)', () => {
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

  it("sums each band's ready messages over its shards, and counts the consumers of its most consumed shard", async () => {
    expect(await client.queueDepths()).toEqual({
      high: { queues: shards('high'), messages: 0, consumers: 0 },
      normal: { queues: shards('normal'), messages: 0, consumers: 0 },
      low: { queues: shards('low'), messages: 0, consumers: 0 },
    });
    await client.publish(jobMessage('high', 'h', 2));
    await client.publish(jobMessage('low', 'l1', 0));
    await client.publish(jobMessage('low', 'l2', 1));
    await client.publish(jobMessage('low', 'l3', 1));
    const depths = await client.queueDepths();
    expect(depths.high.messages).toBe(1);
    expect(depths.low.messages).toBe(3);
    expect(depths.normal.messages).toBe(0);

    // Two consumers of one normal shard (two workers), and one of another.
    const held: Delivery[] = [];
    const subs = [
      await client.consume(jobQueue('normal', 0), 1, (d) => held.push(d)),
      await client.consume(jobQueue('normal', 0), 1, (d) => held.push(d)),
      await client.consume(jobQueue('normal', 1), 1, (d) => held.push(d)),
      await client.consume(jobQueue('high', 2), 1, (d) => held.push(d)),
    ];
    await waitFor(() => held.length === 1);
    const consumed = await client.queueDepths();
    expect(consumed.normal.consumers).toBe(2);
    // The high message now sits unacked with its consumer: it is no longer ready.
    expect(consumed.high).toMatchObject({ messages: 0, consumers: 1 });
    await Promise.all(held.map((d) => d.ack()));
    await Promise.all(subs.map((s) => s.cancel()));
    expect((await client.queueDepths()).normal.consumers).toBe(0);
  });

  it('still answers after many reads (each on a channel it closes)', async () => {
    for (let i = 0; i < 30; i++) await client.queueDepths();
    expect((await client.queueDepths()).low.messages).toBe(3);
  });
});

async function waitFor(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
