import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { allOfType, webhookRoutingKey } from '@conveyor/contracts';
import { AmqpNames, type AmqpBrokerClient, type Delivery, BrokerUnavailableError } from '@conveyor/messaging';
import {
  capturingLogger,
  eventMessage,
  deleteNamespace,
  Inbox,
  jobMessage,
  labelOf,
  testClient,
  TEST_BROKER_URL,
  testNamespace,
  within,
  nextDelivery,
} from '../../support/amqp.util';

describe('AmqpBrokerClient publishing (RabbitMQ)', () => {
  const namespace = testNamespace();
  const logger = capturingLogger();
  let client: AmqpBrokerClient;

  beforeAll(async () => {
    client = testClient(namespace, { logger });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
    await deleteNamespace(namespace);
  });

  it('confirms a job and delivers it to its band queue with its properties', async () => {
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume('conveyor.jobs.high.0', 4, inbox.push);
    const message = jobMessage('high', 'first');

    await client.publish(message);
    const delivery = await inbox.next();

    expect(delivery).toMatchObject({
      type: 'job.requested',
      messageId: message.messageId,
      queue: 'conveyor.jobs.high.0',
      routingKey: 'job.requested.high.0',
      deliveryCount: 1,
      retries: 0,
    });
    expect(labelOf(delivery.body)).toBe('first');
    expect(delivery.headers.traceparent).toBe(message.headers.traceparent);
    await delivery.ack();
    await subscription.cancel();
  });

  it('routes a terminal event by its CC keys to the notification queue (its webhook key) and to a reply queue, from one publish', async () => {
    const notification = new Inbox<Delivery>();
    const replies = new Inbox<string>();
    const subscription = await client.consume('conveyor.notification', 4, notification.push);
    const reply = await client.listenRouted('conveyor.events', (m) => replies.push(m.body.toString()));
    await reply.bind('reply.gw-test');
    const event = { ...eventMessage('job.completed'), cc: ['reply.gw-test', webhookRoutingKey('job.completed')] };

    await client.publish(event);

    const delivery = await notification.next();
    expect(delivery.messageId).toBe(event.messageId);
    await delivery.ack();
    expect(await replies.next()).toBe(event.body.toString());
    await subscription.cancel();
    await reply.cancel();
  });

  it('keeps a terminal event without the webhook key from the notification queue, also one bound the old way before an upgrade', async () => {
    // An earlier version bound every end to the notification queue: declaring the topology again removes that route.
    const names = new AmqpNames(namespace);
    const admin = await connect(TEST_BROKER_URL);
    const channel = await admin.createChannel();
    await channel.bindQueue(names.of('conveyor.notification'), names.of('conveyor.events'), allOfType('job.completed'));
    await admin.close();
    const upgraded = testClient(namespace);
    await upgraded.connect();
    const notification = new Inbox<Delivery>();
    const replies = new Inbox<string>();
    const subscription = await upgraded.consume('conveyor.notification', 4, notification.push);
    const reply = await upgraded.listenRouted('conveyor.events', (m) => replies.push(m.body.toString()));
    await reply.bind('reply.gw-quiet');
    const event = { ...eventMessage('job.completed'), cc: ['reply.gw-quiet'] };

    await upgraded.publish(event);

    expect(await replies.next()).toBe(event.body.toString());
    await expect(notification.next(300)).rejects.toThrow(/no message/);
    await subscription.cancel();
    await reply.cancel();
    await upgraded.close();
  });

  it('routes a worker outcome to the persistence queue only', async () => {
    const persistence = new Inbox<Delivery>();
    const notification = new Inbox<Delivery>();
    const subscriptions = [
      await client.consume('conveyor.persistence', 4, persistence.push),
      await client.consume('conveyor.notification', 4, notification.push),
    ];
    const outcome = eventMessage('job.outcome');

    await client.publish(outcome);

    const delivery = await persistence.next();
    expect(delivery.messageId).toBe(outcome.messageId);
    await delivery.ack();
    await expect(notification.next(300)).rejects.toThrow(/no message/);
    await Promise.all(subscriptions.map((s) => s.cancel()));
  });

  it("confirms a job's end that no queue takes (nobody streams, waits for or has a webhook for it): its route is optional", async () => {
    const end = { ...eventMessage('job.completed'), routingKey: 'job.completed.nobody', cc: [] };
    expect(end.optionalRoute).toBe(true);
    await expect(client.publish(end)).resolves.toBeUndefined();
    await expect(client.publish({ ...end, optionalRoute: false })).rejects.toThrow(/no queue took/);
  });

  it('rejects a persistent message no queue takes as unroutable', async () => {
    const unbound = { ...jobMessage('high'), routingKey: 'job.requested.urgent' };

    const error = await client.publish(unbound).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect((error as BrokerUnavailableError).code).toBe('unroutable');
    expect(client.isReady()).toBe(true);
  });

  it('refuses an exchange outside the topology without touching the shared publish channel', async () => {
    const error = await client.publish({ ...jobMessage('high'), exchange: 'conveyor.nowhere' }).catch((err: unknown) => err);

    expect((error as BrokerUnavailableError).code).toBe('unroutable');
    expect(client.isReady()).toBe(true);
  });

  it('writes a transient message without waiting for a confirm, even when no queue is bound', async () => {
    const delta = { ...eventMessage('job.completed'), type: 'job.delta' as const, routingKey: `job.delta.${randomUUID()}`, persistent: false };

    await expect(client.publish(delta)).resolves.toBeUndefined();
  });

  it('pipelines many confirmed publishes on one channel, each resolving on its own confirm', async () => {
    const messages = Array.from({ length: 300 }, (_, i) => jobMessage('low', `bulk-${i}`));

    await within(10_000, '300 confirms', Promise.all(messages.map((m) => client.publish(m))));

    const taken: string[] = [];
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume('conveyor.jobs.low.0', 50, inbox.push);
    for (let i = 0; i < messages.length; i++) {
      const delivery = await inbox.next();
      taken.push(labelOf(delivery.body));
      await delivery.ack();
    }
    await subscription.cancel();
    expect(taken).toEqual(messages.map((m) => labelOf(m.body)));
  });

  it('logs where it connected without the password', () => {
    const { password } = new URL(TEST_BROKER_URL);
    const connected = logger.lines.find((line) => line.startsWith('connected to'));

    expect(connected).toContain(':***@');
    expect(logger.lines.join('\n')).not.toContain(`:${password}@`);
  });

  it('maps canonical names into its namespace, and keeps working after a consumer on a missing queue fails', async () => {
    await expect(client.consume(`${namespace}.conveyor.jobs.high.0`, 1, () => undefined)).rejects.toThrow(/NOT_FOUND/);

    const message = jobMessage('high');
    await client.publish(message);
    const delivery = await nextDelivery(client, 'conveyor.jobs.high.0');

    expect(delivery?.messageId).toBe(message.messageId);
    await delivery?.ack();
  });
});
