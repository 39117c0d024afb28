import { eventMessage, deleteNamespace, Inbox, jobMessage, testClient, testNamespace, nextDelivery } from '../../support/amqp.util';
import { type AmqpBrokerClient, type Delivery, DEAD_LETTER_QUEUE, HELD_DELIVERY_ALLOWANCE } from '@conveyor/messaging';

const MAX_DELIVERIES = 3;

describe('AmqpBrokerClient settlement on RabbitMQ: redelivery, delivery limit, retry and dead letters', () => {
  const namespace = testNamespace();
  let client: AmqpBrokerClient;
  const dead = new Inbox<Delivery>();

  beforeAll(async () => {
    client = testClient(namespace, { maxDeliveries: MAX_DELIVERIES });
    await client.connect();
    await client.consume(DEAD_LETTER_QUEUE, 10, dead.push);
  });
  afterAll(async () => {
    await client.close();
    await deleteNamespace(namespace);
  });

  /** Receives the next message of `queue` on a fresh consumer, then cancels that consumer without settling. */
  async function receiveAndAbandon(queue: string): Promise<Delivery> {
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume(queue, 1, inbox.push);
    const delivery = await inbox.next();
    await subscription.cancel();
    return delivery;
  }

  it('redelivers a message whose consumer channel closed unsettled, with a higher delivery count', async () => {
    const event = eventMessage('job.outcome');
    await client.publish(event);

    const first = await receiveAndAbandon('conveyor.persistence');
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume('conveyor.persistence', 1, inbox.push);
    const second = await inbox.next();

    expect([first.messageId, second.messageId]).toEqual([event.messageId, event.messageId]);
    expect([first.deliveryCount, second.deliveryCount]).toEqual([1, 2]);
    await second.ack();
    await subscription.cancel();
    await first.ack(); // its channel is gone: a no-op, not an error
  });

  it(`dead-letters an event after ${MAX_DELIVERIES} deliveries`, async () => {
    const message = eventMessage('job.outcome');
    await client.publish(message);

    const counts: number[] = [];
    for (let i = 0; i < MAX_DELIVERIES; i++) counts.push((await receiveAndAbandon('conveyor.persistence')).deliveryCount);
    const deadLetter = await dead.next();

    expect(counts).toEqual([1, 2, 3]);
    expect(deadLetter.messageId).toBe(message.messageId);
    expect(deadLetter.headers['x-first-death-reason']).toBe('delivery_limit');
    await deadLetter.ack();
    await expect(nextDelivery(client, 'conveyor.persistence')).resolves.toBeNull();
  });

  it(`dead-letters a job message only after ${MAX_DELIVERIES} × HELD_DELIVERY_ALLOWANCE deliveries: a worker's kill returns all it held, so workers count starts`, async () => {
    const message = jobMessage('normal');
    await client.publish(message);

    const limit = MAX_DELIVERIES * HELD_DELIVERY_ALLOWANCE;
    const counts: number[] = [];
    for (let i = 0; i < limit; i++) counts.push((await receiveAndAbandon('conveyor.jobs.normal.0')).deliveryCount);
    const deadLetter = await dead.next();

    expect(counts).toEqual(Array.from({ length: limit }, (_, i) => i + 1));
    expect(deadLetter.messageId).toBe(message.messageId);
    expect(deadLetter.headers['x-first-death-reason']).toBe('delivery_limit');
    await deadLetter.ack();
    await expect(nextDelivery(client, 'conveyor.jobs.normal.0')).resolves.toBeNull();
  });

  it('retryLater brings the message back after its delay, counting the retry', async () => {
    const delayMs = 600;
    const message = jobMessage('low');
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume('conveyor.jobs.low.0', 1, inbox.push);
    await client.publish(message);

    const original = await inbox.next();
    const retriedAt = Date.now();
    await original.retryLater(delayMs, 'provider busy');
    const again = await inbox.next(delayMs + 5_000);
    const waited = Date.now() - retriedAt;

    expect(waited).toBeGreaterThanOrEqual(delayMs - 50);
    expect(again).toMatchObject({
      messageId: message.messageId,
      routingKey: 'job.requested.low.0',
      queue: 'conveyor.jobs.low.0',
      retries: 1,
      deliveryCount: 1,
    });
    expect(again.headers['x-conveyor-retry-reason']).toBe('provider busy');
    expect(again.headers.traceparent).toBe(message.headers.traceparent);
    expect(again.body.equals(message.body)).toBe(true);

    await again.retryLater(50, 'still busy');
    const third = await inbox.next();
    expect([third.retries, third.headers['x-conveyor-retry-reason']]).toEqual([2, 'still busy']);
    await third.ack();
    await subscription.cancel();
  });

  it('deadLetter moves the message to the dead-letter queue with the reason and the source queue', async () => {
    const event = eventMessage('job.completed');
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume('conveyor.notification', 1, inbox.push);
    await client.publish(event);

    await (await inbox.next()).deadLetter('invalid job.completed: result: required');
    const deadLetter = await dead.next();

    expect(deadLetter).toMatchObject({ messageId: event.messageId, type: 'job.completed', routingKey: event.routingKey, queue: DEAD_LETTER_QUEUE });
    expect(deadLetter.headers['x-conveyor-dead-reason']).toBe('invalid job.completed: result: required');
    expect(deadLetter.headers['x-conveyor-source-queue']).toBe('conveyor.notification');
    expect(deadLetter.headers['x-conveyor-dead-on-delivery']).toBe(1);
    await deadLetter.ack();
    await subscription.cancel();
  });

  it('a dead letter made on a redelivery names that delivery: a copy left by a consumer killed before its ack is told apart', async () => {
    const event = eventMessage('job.completed');
    await client.publish(event);
    await receiveAndAbandon('conveyor.notification');
    const inbox = new Inbox<Delivery>();
    const subscription = await client.consume('conveyor.notification', 1, inbox.push);
    const second = await inbox.next();

    await second.deadLetter('invalid job.completed: result: required');
    const deadLetter = await dead.next();

    expect(second.deliveryCount).toBe(2);
    expect(deadLetter.messageId).toBe(event.messageId);
    expect(deadLetter.headers['x-conveyor-source-queue']).toBe('conveyor.notification');
    expect(deadLetter.headers['x-conveyor-dead-on-delivery']).toBe(2);
    await deadLetter.ack();
    await subscription.cancel();
  });

  it('settles a delivery once: a dead-letter after the ack does nothing', async () => {
    await client.publish(jobMessage('high'));
    const acked = await nextDelivery(client, 'conveyor.jobs.high.0');
    await acked!.ack();
    await acked!.deadLetter('too late');

    const marker = jobMessage('high');
    await client.publish(marker);
    await (await nextDelivery(client, 'conveyor.jobs.high.0'))!.deadLetter('marker');

    // Dead-letter copies are confirmed before deadLetter resolves, so a copy of the first would come first.
    const deadLetter = await dead.next();
    expect(deadLetter.messageId).toBe(marker.messageId);
    await deadLetter.ack();
  });
});
