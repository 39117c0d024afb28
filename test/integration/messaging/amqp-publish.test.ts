import { randomUUID } from 'node:crypto';
import type { AmqpBrokerClient } from '../../../libs/messaging/src/amqp/amqp-broker.client';
import type { Delivery } from '../../../libs/messaging/src/broker-client.port';
import { BrokerUnavailableError } from '../../../libs/messaging/src/broker-unavailable.exception';
import { BAND_QUEUES } from '../../../libs/messaging/src/topology';
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
} from '../../support/amqp.util';

describe('AmqpBrokerClient publishing', () => {
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
    const subscription = await client.consume('conveyor.jobs.high', 4, inbox.push);
    const message = jobMessage('high', 'first');

    await client.publish(message);
    const delivery = await inbox.next();

    expect(delivery).toMatchObject({
      type: 'job.requested',
      messageId: message.messageId,
      queue: 'conveyor.jobs.high',
      routingKey: 'job.requested.high',
      deliveryCount: 1,
      retries: 0,
    });
    expect(labelOf(delivery.body)).toBe('first');
    expect(delivery.headers.traceparent).toBe(message.headers.traceparent);
    await delivery.ack();
    await subscription.cancel();
  });

  it('routes an event to every queue bound to its type', async () => {
    const persistence = new Inbox<Delivery>();
    const notification = new Inbox<Delivery>();
    const subscriptions = [
      await client.consume('conveyor.persistence', 4, persistence.push),
      await client.consume('conveyor.notification', 4, notification.push),
    ];
    const event = eventMessage('job.completed');

    await client.publish(event);

    for (const inbox of [persistence, notification]) {
      const delivery = await inbox.next();
      expect(delivery.messageId).toBe(event.messageId);
      await delivery.ack();
    }
    await Promise.all(subscriptions.map((s) => s.cancel()));
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
    for (let delivery = await client.take(BAND_QUEUES); delivery; delivery = await client.take(BAND_QUEUES)) {
      taken.push(labelOf(delivery.body));
      await delivery.ack();
    }
    expect(taken).toEqual(messages.map((m) => labelOf(m.body)));
  });

  it('rings the wake-up listeners after a job is confirmed', async () => {
    let ring!: () => void;
    const rung = new Promise<void>((resolve) => (ring = resolve));
    const subscription = await client.onWake(() => ring());

    await client.publish(jobMessage('normal'));

    await within(5_000, 'the wake-up', rung);
    await subscription.cancel();
    const delivery = await client.take(['conveyor.jobs.normal']);
    await delivery?.ack();
    expect(delivery).not.toBeNull();
  });

  it('logs where it connected without the password', () => {
    const { password } = new URL(TEST_BROKER_URL);
    const connected = logger.lines.find((line) => line.startsWith('connected to'));

    expect(connected).toContain(':***@');
    expect(logger.lines.join('\n')).not.toContain(`:${password}@`);
  });

  it('maps canonical names into its namespace, and re-opens its take channel after a broker error', async () => {
    await expect(client.take([`${namespace}.conveyor.jobs.high`])).rejects.toThrow(/NOT_FOUND/);

    const message = jobMessage('high');
    await client.publish(message);
    const delivery = await client.take(['conveyor.jobs.high']);

    expect(delivery?.messageId).toBe(message.messageId);
    await delivery?.ack();
  });
});
