import { connect } from 'amqplib';
import { deleteNamespace, eventMessage, Inbox, jobMessage, TEST_BROKER_URL, testClient, testNamespace } from '../../support/amqp.util';
import { type AmqpBrokerClient, AmqpNames, type Delivery, Exchanges, jobQueue, jobRetryTierQueue } from '@conveyor/messaging';

/** Tiers small enough for a test: a short one to come back, and one long enough never to come back during it. */
const TIERS = [200, 3_600_000];
const QUEUE = jobQueue('low', 0);
/** A queue with delay queues of its own (event queues; job shards share theirs). */
const EVENT_QUEUE = 'conveyor.notification';
/** The single delay queue of releases before the tiers, with its per-message TTL arguments. */
const LEGACY_RETRY_QUEUE = `${EVENT_QUEUE}.retry`;

describe('AmqpBrokerClient retry delay tiers (RabbitMQ)', () => {
  const namespace = testNamespace();
  const names = new AmqpNames(namespace);
  let client: AmqpBrokerClient;

  /** Messages waiting in a queue of this namespace, as the broker counts them. */
  async function depth(queue: string): Promise<number> {
    const connection = await connect(TEST_BROKER_URL);
    try {
      return (await (await connection.createChannel()).checkQueue(names.of(queue))).messageCount;
    } finally {
      await connection.close();
    }
  }

  beforeAll(async () => {
    // A broker upgraded from an older release still has the old `<queue>.retry`, bound to the retry exchange.
    const connection = await connect(TEST_BROKER_URL);
    const channel = await connection.createChannel();
    await channel.assertExchange(names.of(Exchanges.retry), 'direct', { durable: true });
    await channel.assertQueue(names.of(LEGACY_RETRY_QUEUE), {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': names.of(EVENT_QUEUE),
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
    await channel.bindQueue(names.of(LEGACY_RETRY_QUEUE), names.of(Exchanges.retry), EVENT_QUEUE);
    await connection.close();

    client = testClient(namespace, { retryTiersMs: TIERS });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    const connection = await connect(TEST_BROKER_URL);
    await (await connection.createChannel()).deleteQueue(names.of(LEGACY_RETRY_QUEUE));
    await connection.close();
    await deleteNamespace(namespace, TIERS);
  });

  it('brings a short retry back on time although a long one was scheduled before it', async () => {
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume(QUEUE, 2, inbox.push);
    const [long, short] = [jobMessage('low', 'long'), jobMessage('low', 'short')];
    await client.publish(long);
    await (await inbox.next()).retryLater(3_600_000, 'come back in an hour');
    await client.publish(short);
    await (await inbox.next()).retryLater(150, 'come back soon');

    // With one delay queue and per-message TTLs, the short retry would wait behind the hour-long one.
    const back = await inbox.next(10_000);
    expect(back).toMatchObject({ messageId: short.messageId, queue: QUEUE, routingKey: 'job.requested.low.0', retries: 1 });
    expect(back.headers['x-conveyor-retry-reason']).toBe('come back soon');
    await back.ack();
    await subscription.cancel();
    expect(await depth(jobRetryTierQueue(3_600_000))).toBe(1);
  });

  it('returns a job retried from any shard to that shard, through the tier queues all shards share', async () => {
    const inbox = new Inbox<Delivery>();
    const shard = jobQueue('high', 3);
    const subscription = await client.consume(shard, 1, inbox.push);
    const message = jobMessage('high', 'shard-3', 3);
    await client.publish(message);
    await (await inbox.next()).retryLater(1, 'later');

    const back = await inbox.next(10_000);
    expect(back).toMatchObject({ messageId: message.messageId, queue: shard, routingKey: 'job.requested.high.3', retries: 1 });
    await back.ack();
    await subscription.cancel();
  });

  it('declares the tiers beside an old single retry queue, which receives nothing more', async () => {
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume(EVENT_QUEUE, 1, inbox.push);
    const message = eventMessage('job.completed');
    await client.publish(message);
    await (await inbox.next()).retryLater(1, 'once more');

    const back = await inbox.next(10_000);
    expect([back.messageId, back.retries]).toEqual([message.messageId, 1]);
    await back.ack();
    await subscription.cancel();
    expect(await depth(LEGACY_RETRY_QUEUE)).toBe(0);
  });
});
