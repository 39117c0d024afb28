import { connect } from 'amqplib';
import { type AmqpBrokerClient, type Delivery, BrokerUnavailableError, Exchanges } from '@conveyor/messaging';
import {
  capturingLogger,
  deleteNamespace,
  eventMessage,
  eventually,
  Inbox,
  jobMessage,
  TEST_BROKER_URL,
  testClient,
  testNamespace,
  within,
  nextDelivery,
} from '../../support/amqp.util';

/** How a publish failed, or null if it did not. */
async function publishFailure(client: AmqpBrokerClient, ...args: Parameters<AmqpBrokerClient['publish']>): Promise<string | null> {
  try {
    await client.publish(...args);
    return null;
  } catch (err) {
    return err instanceof BrokerUnavailableError ? err.code : `unexpected: ${(err as Error).message}`;
  }
}

describe('AmqpBrokerClient connection loss and recovery (RabbitMQ)', () => {
  const namespace = testNamespace();
  const reconnectMs = 500;
  const logger = capturingLogger();
  let client: AmqpBrokerClient;

  beforeAll(async () => {
    client = testClient(namespace, { reconnectMs, logger });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
    await deleteNamespace(namespace);
  });

  it('a publish written before the connection drops is in doubt (it may have reached its queue); one after it is not', async () => {
    const written = publishFailure(client, eventMessage('job.outcome'));
    client.simulateConnectionLoss();
    expect(await written).toBe('unconfirmed');
    await eventually('the client to notice the loss', () => !client.isReady());
    const refused = await client.publish(eventMessage('job.outcome')).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(BrokerUnavailableError);
    expect((refused as BrokerUnavailableError).inDoubt).toBe(false);
    expect(new BrokerUnavailableError('x', 'unconfirmed').inDoubt).toBe(true);
    expect(new BrokerUnavailableError('x', 'confirm_timeout').inDoubt).toBe(true);
    await eventually('the client to reconnect', () => client.isReady());
  });

  it('fails publishes fast while disconnected, then reconnects and resumes its consumers by itself', async () => {
    const inbox = new Inbox<Delivery>();
    const jobs = new Inbox<Delivery>();
    const subscriptions = [await client.consume('conveyor.persistence', 4, inbox.push), await client.consume('conveyor.jobs.high.0', 4, jobs.push)];
    await client.publish(eventMessage('job.outcome'));
    const unsettled = await inbox.next();

    client.simulateConnectionLoss();
    await eventually('the client to notice the loss', () => !client.isReady());
    const startedAt = Date.now();
    const failure = await publishFailure(client, eventMessage('job.outcome'));
    const failedIn = Date.now() - startedAt;

    expect(failure).toBe('disconnected');
    expect(failedIn).toBeLessThan(100);
    await eventually('the client to reconnect', () => client.isReady());

    // The message left unsettled on the lost channel comes back; settling the stale copy is harmless.
    await unsettled.ack();
    const redelivered = await inbox.next();
    expect(redelivered.messageId).toBe(unsettled.messageId);
    expect(redelivered.deliveryCount).toBe(2);
    await redelivered.ack();

    const after = eventMessage('job.outcome');
    await client.publish(after);
    const resumed = await inbox.next();
    expect(resumed.messageId).toBe(after.messageId);
    await resumed.ack();

    await client.publish(jobMessage('high'));
    const job = await within(5_000, 'a job pushed on the new connection', jobs.next());
    await job.ack();
    await Promise.all(subscriptions.map((s) => s.cancel()));
  });

  it('refuses publishes fast while the broker blocks them for a resource alarm', async () => {
    // What amqplib emits on connection.blocked / connection.unblocked; a real alarm would stall every suite sharing the broker.
    const connection = client['connection'].current!;

    connection.emit('blocked', 'low on memory');
    expect(client.isReady()).toBe(false);
    await expect(publishFailure(client, eventMessage('job.outcome'))).resolves.toBe('blocked');

    connection.emit('unblocked');
    expect(client.isReady()).toBe(true);
    await client.publish(eventMessage('job.outcome'));
    await nextDelivery(client, 'conveyor.persistence').then((d) => d?.ack());
  });

  it('replaces its publish channel when the broker closes it on a live connection', async () => {
    // A message then goes to a missing exchange, and the broker closes the channel with 404 NOT_FOUND.
    const reconnects = () => logger.lines.filter((l) => l.startsWith('connection to')).length;
    const reconnectsBefore = reconnects();
    const admin = await connect(TEST_BROKER_URL);
    await (await admin.createChannel()).deleteExchange(`${namespace}.${Exchanges.jobRetry}`);
    await admin.close();

    await client.publish({ ...jobMessage('low'), exchange: Exchanges.jobRetry, persistent: false });
    await eventually('the broker to close the publish channel', () => logger.lines.some((l) => l.startsWith('publish channel error')));
    await eventually('a new publish channel', () => client.isReady());
    await client.publish(eventMessage('job.outcome'));

    expect(reconnects()).toBe(reconnectsBefore);
    await nextDelivery(client, 'conveyor.persistence').then((d) => d?.ack());
  });

  it('brings back a consumer the broker cancelled, once its queue exists again', async () => {
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume('conveyor.notification', 1, inbox.push);
    const admin = await connect(TEST_BROKER_URL);
    const channel = await admin.createChannel();
    await channel.deleteQueue(`${namespace}.conveyor.notification`);
    await admin.close();
    // RabbitMQ 3.10 may never tell a consumer its quorum queue was deleted if the queue is re-declared a
    // moment later; wait for the cancel before re-declaring, as a real outage would leave time for.
    await eventually('the broker to cancel the consumer', () => logger.lines.some((l) => l.includes('the broker cancelled the consumer')));

    // Another client's connect re-declares the topology, as a restarted service would.
    const redeclarer = testClient(namespace);
    await redeclarer.connect();
    const event = eventMessage('job.completed');
    await redeclarer.publish(event);
    await redeclarer.close();

    const delivery = await inbox.next(reconnectMs * 10);
    expect(delivery.messageId).toBe(event.messageId);
    await delivery.ack();
    await subscription.cancel();
    await nextDelivery(client, 'conveyor.persistence').then((d) => d?.ack());
  });

  it('does not bring a cancelled subscription back after a reconnect', async () => {
    const cancelled = new Inbox<Delivery>();
    const live = new Inbox<Delivery>();
    await (await client.consume('conveyor.persistence', 1, cancelled.push)).cancel();
    const subscription = await client.consume('conveyor.persistence', 1, live.push);

    client.simulateConnectionLoss();
    await eventually('the client to notice the loss', () => !client.isReady());
    await eventually('the client to reconnect', () => client.isReady());
    const events = [1, 2, 3, 4].map(() => eventMessage('job.outcome'));
    for (const event of events) await client.publish(event);

    // With prefetch 1, a revived consumer would hold one of these and the live one would never see it.
    const received: Array<string | undefined> = [];
    for (const _ of events) {
      const delivery = await live.next();
      received.push(delivery.messageId);
      await delivery.ack();
    }
    expect(received).toEqual(events.map((e) => e.messageId));
    await subscription.cancel();
  });
});

describe('AmqpBrokerClient without a connection', () => {
  it('rejects a publish before connect() at once', async () => {
    const client = testClient(testNamespace());

    await expect(publishFailure(client, jobMessage('high'))).resolves.toBe('disconnected');
    await client.close();
  });

  it('fails connect() when the broker cannot be reached, without logging or throwing the password', async () => {
    const logger = capturingLogger();
    const client = testClient(testNamespace(), { url: 'amqp://conveyor:s3cret-pw@127.0.0.1:1', logger });

    const error = await client.connect().catch((err: unknown) => err);

    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect((error as BrokerUnavailableError).code).toBe('disconnected');
    expect((error as Error).message).toContain('conveyor:***@');
    expect([(error as Error).message, ...logger.lines].join('\n')).not.toContain('s3cret-pw');
    await client.close();
  });

  it('closes idempotently, and refuses work afterwards', async () => {
    const namespace = testNamespace();
    const client = testClient(namespace);
    await client.connect();

    await Promise.all([client.close(), client.close()]);

    expect(client.isReady()).toBe(false);
    await expect(publishFailure(client, jobMessage('high'))).resolves.toBe('closed');
    await expect(client.connect()).rejects.toMatchObject({ code: 'closed' });
    await deleteNamespace(namespace);
  });
});
