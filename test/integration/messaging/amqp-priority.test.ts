import { PRIORITY_BANDS } from '@conveyor/contracts';
import type { AmqpBrokerClient } from '../../../libs/messaging/src/amqp/amqp-broker.client';
import { BAND_QUEUES } from '../../../libs/messaging/src/topology';
import { deleteNamespace, jobMessage, labelOf, testClient, testNamespace } from '../../support/amqp.util';

describe('AmqpBrokerClient strict band priority (take)', () => {
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

  it('answers null when every band is empty', async () => {
    await expect(client.take(BAND_QUEUES)).resolves.toBeNull();
  });

  it('drains high before normal before low, whatever the publish order, FIFO within a band', async () => {
    for (const band of ['low', 'normal', 'high'] as const) {
      for (let i = 0; i < 5; i++) await client.publish(jobMessage(band, `${band}-${i}`));
    }

    const taken: string[] = [];
    for (let i = 0; i < 15; i++) {
      const delivery = await client.take(BAND_QUEUES);
      taken.push(labelOf(delivery!.body));
      await delivery!.ack();
    }

    const expected = PRIORITY_BANDS.flatMap((band) => [0, 1, 2, 3, 4].map((i) => `${band}-${i}`));
    expect(taken).toEqual(expected);
    await expect(client.take(BAND_QUEUES)).resolves.toBeNull();
  });

  it('takes a higher band published after lower ones were queued', async () => {
    await client.publish(jobMessage('low', 'early-low'));
    await client.publish(jobMessage('high', 'late-high'));

    const first = await client.take(BAND_QUEUES);
    const second = await client.take(BAND_QUEUES);

    expect([labelOf(first!.body), labelOf(second!.body)]).toEqual(['late-high', 'early-low']);
    await Promise.all([first!.ack(), second!.ack()]);
  });

  it('gives concurrent takes from several worker slots distinct messages', async () => {
    const labels = Array.from({ length: 12 }, (_, i) => `slot-${i}`);
    for (const label of labels) await client.publish(jobMessage('normal', label));

    const deliveries = await Promise.all(labels.map(() => client.take(BAND_QUEUES)));

    expect(deliveries.map((d) => labelOf(d!.body)).sort()).toEqual([...labels].sort());
    await Promise.all(deliveries.map((d) => d!.ack()));
    await expect(client.take(BAND_QUEUES)).resolves.toBeNull();
  });

  it('holds a taken message until it is settled, and returns it if never settled', async () => {
    const message = jobMessage('high', 'held');
    await client.publish(message);

    const held = await client.take(BAND_QUEUES);
    expect(held?.messageId).toBe(message.messageId);
    await expect(client.take(BAND_QUEUES)).resolves.toBeNull();

    // A second client's take channel closing (as a crashed worker's would) hands the message back.
    const other = testClient(namespace);
    await other.connect();
    await held!.ack();
    await other.publish(jobMessage('high', 'crashed'));
    const orphan = await other.take(BAND_QUEUES);
    expect(labelOf(orphan!.body)).toBe('crashed');
    await other.close();

    const redelivered = await client.take(BAND_QUEUES);
    expect(labelOf(redelivered!.body)).toBe('crashed');
    expect(redelivered!.deliveryCount).toBe(2);
    await redelivered!.ack();
  });
});
