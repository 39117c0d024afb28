import { DEAD_LETTER_QUEUE, bandQueue } from '../topology';
import type { Delivery, OutboundMessage } from '../broker-client.port';
import { InProcessBrokerClient } from './in-process-broker.client';

const message = (id: string, band = 'normal'): OutboundMessage => ({
  type: 'job.requested',
  exchange: 'conveyor.jobs',
  routingKey: `job.requested.${band}`,
  body: Buffer.from('{}'),
  messageId: id,
  headers: {},
  persistent: true,
});

describe('InProcessBrokerClient', () => {
  let broker: InProcessBrokerClient;
  beforeEach(async () => {
    broker = new InProcessBrokerClient({ maxDeliveries: 2, retryTiersMs: [5, 60_000] });
    await broker.connect();
  });
  afterEach(() => broker.close());

  it('takes from the first non-empty queue in the order asked', async () => {
    await broker.publish(message('low', 'low'));
    await broker.publish(message('high', 'high'));
    const order = ['high', 'normal', 'low'].map((b) => bandQueue(b as 'high'));
    expect((await broker.take(order))?.messageId).toBe('high');
    expect((await broker.take(order))?.messageId).toBe('low');
    expect(await broker.take(order)).toBeNull();
  });

  it('rejects a message no queue is bound for', async () => {
    await expect(broker.publish(message('x', 'urgent'))).rejects.toMatchObject({ code: 'unroutable' });
  });

  it('redelivers what a cancelled consumer left unsettled, counting deliveries, and dead-letters past the limit', async () => {
    const deliveries: Delivery[] = [];
    const consumeOnce = async () => {
      const got = new Promise<Delivery>((resolve) => {
        void broker.consume(bandQueue('normal'), 1, (d) => resolve(d)).then((s) => (sub = s));
      });
      let sub: { cancel(): Promise<void> } | undefined;
      const d = await got;
      deliveries.push(d);
      await sub!.cancel(); // like a worker dying mid-job: nothing settled
    };
    await broker.publish(message('m'));
    await consumeOnce();
    await consumeOnce();
    expect(deliveries.map((d) => d.deliveryCount)).toEqual([1, 2]);
    // A third delivery would pass the limit of 2: the broker dead-letters instead of delivering.
    const sub = await broker.consume(bandQueue('normal'), 1, () => {
      throw new Error('must not be delivered');
    });
    await new Promise((r) => setImmediate(r));
    await sub.cancel();
    expect(broker.depth(DEAD_LETTER_QUEUE)).toBe(1);
    expect(broker.deadLetters()[0]!.headers['x-conveyor-dead-reason']).toBe('delivery_limit');
  });

  it('brings a message back after retryLater with its retry count', async () => {
    await broker.publish(message('r'));
    const first = (await broker.take([bandQueue('normal')]))!;
    await first.retryLater(5, 'later');
    expect(await broker.take([bandQueue('normal')])).toBeNull();
    const woke = new Promise<void>((resolve) => void broker.onWake(resolve));
    await woke;
    const again = (await broker.take([bandQueue('normal')]))!;
    expect(again.messageId).toBe('r');
    expect(again.retries).toBe(1);
    expect(again.deliveryCount).toBe(1);
  });

  it('settles a delivery once, whatever is called after', async () => {
    await broker.publish(message('s'));
    const d = (await broker.take([bandQueue('normal')]))!;
    await d.ack();
    await d.deadLetter('late');
    expect(broker.depth(DEAD_LETTER_QUEUE)).toBe(0);
  });

  it('routes events to a routed listener only while a matching pattern is bound, once per message', async () => {
    const heard: string[] = [];
    const routed = await broker.listenRouted('conveyor.events', (m) => heard.push(m.body.toString()));
    const delta = (jobId: string, label: string): OutboundMessage => ({ ...message(label), type: 'job.delta', exchange: 'conveyor.events', routingKey: `job.delta.${jobId}`, body: Buffer.from(label), persistent: false });
    await routed.bind('job.*.a');
    await routed.bind('job.delta.a');
    await broker.publish(delta('a', 'a1'));
    await broker.publish(delta('b', 'b1'));
    await routed.unbind('job.*.a');
    await routed.unbind('job.delta.a');
    await broker.publish(delta('a', 'a2'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(heard).toEqual(['a1']);
    await routed.cancel();
  });
});
