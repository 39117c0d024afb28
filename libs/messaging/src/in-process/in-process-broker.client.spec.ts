import { DEAD_LETTER_QUEUE, HELD_DELIVERY_ALLOWANCE, jobQueue, NOTIFICATION_QUEUE } from '../topology';
import type { Delivery, OutboundMessage } from '../broker-client.port';
import { InProcessBrokerClient } from './in-process-broker.client';
import { webhookRoutingKey } from '@conveyor/contracts';

const message = (id: string, band = 'normal'): OutboundMessage => ({
  type: 'job.requested',
  exchange: 'conveyor.jobs',
  routingKey: `job.requested.${band}.0`,
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

  /** The next delivery of a queue, through a consumer that is cancelled again once it has one. */
  const next = async (queue: string): Promise<Delivery> => {
    let sub: { pause(): Promise<void> } | undefined;
    const got = new Promise<Delivery>((resolve) => {
      void broker.consume(queue, 1, (d) => resolve(d)).then((s) => (sub = s));
    });
    const d = await got;
    await sub!.pause();
    return d;
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it("routes a job to its band's shard queue", async () => {
    await broker.publish(message('low', 'low'));
    await broker.publish(message('high', 'high'));
    expect(broker.depth(jobQueue('high', 0))).toBe(1);
    expect(broker.depth(jobQueue('low', 0))).toBe(1);
  });

  it('stops delivering while paused, keeps what was delivered unsettled, and delivers again once resumed', async () => {
    const got: Delivery[] = [];
    for (const id of ['a', 'b', 'c']) await broker.publish(message(id));
    const sub = await broker.consume(jobQueue('normal', 0), 1, (d) => got.push(d));
    await settle();
    expect(got.map((d) => d.messageId)).toEqual(['a']);
    await sub.pause();
    await got[0]!.ack();
    await settle();
    expect(got).toHaveLength(1);
    await sub.resume();
    await settle();
    expect(got.map((d) => d.messageId)).toEqual(['a', 'b']);
    await sub.cancel();
  });

  it('routes one publish to its routing key and to every CC key, one copy per queue; an end without the webhook key skips notification', async () => {
    const heard: string[] = [];
    const reply = await broker.listenRouted('conveyor.events', (m) => heard.push(m.body.toString()));
    await reply.bind('reply.gw-1');
    await broker.publish({
      ...message('t'),
      type: 'job.completed',
      exchange: 'conveyor.events',
      routingKey: 'job.completed.j1',
      body: Buffer.from('end'),
      cc: ['reply.gw-1', webhookRoutingKey('job.completed')],
    });
    await settle();
    expect(heard).toEqual(['end']);
    expect(broker.depth(NOTIFICATION_QUEUE)).toBe(1);
    await broker.publish({
      ...message('t'),
      type: 'job.completed',
      exchange: 'conveyor.events',
      routingKey: 'job.completed.j2',
      body: Buffer.from('quiet end'),
      optionalRoute: true,
    });
    await settle();
    expect(broker.depth(NOTIFICATION_QUEUE)).toBe(1);
    await reply.cancel();
  });

  it("reports each band's ready messages over its shards, and the consumers of its most consumed shard", async () => {
    await broker.publish(message('h1', 'high'));
    await broker.publish(message('l1', 'low'));
    await broker.publish(message('l2', 'low'));
    const subs = [
      await broker.consume(jobQueue('normal', 0), 1, () => undefined),
      await broker.consume(jobQueue('normal', 0), 1, () => undefined),
      await broker.consume(jobQueue('normal', 3), 1, () => undefined),
    ];
    const shards = (band: string) => [0, 1, 2, 3].map((k) => jobQueue(band as 'high', k));
    expect(await broker.queueDepths()).toEqual({
      high: { queues: shards('high'), messages: 1, consumers: 0 },
      normal: { queues: shards('normal'), messages: 0, consumers: 2 },
      low: { queues: shards('low'), messages: 2, consumers: 0 },
    });
    for (const sub of subs) await sub.cancel();
  });

  it('rejects a message no queue is bound for', async () => {
    await expect(broker.publish(message('x', 'urgent'))).rejects.toMatchObject({ code: 'unroutable' });
  });

  it('redelivers what a cancelled consumer left unsettled, counting deliveries, and dead-letters a job past its (scaled) limit', async () => {
    const deliveries: Delivery[] = [];
    const consumeOnce = async () => {
      const got = new Promise<Delivery>((resolve) => {
        void broker.consume(jobQueue('normal', 0), 1, (d) => resolve(d)).then((s) => (sub = s));
      });
      let sub: { cancel(): Promise<void> } | undefined;
      const d = await got;
      deliveries.push(d);
      await sub!.cancel(); // like a worker dying mid-job: nothing settled
    };
    await broker.publish(message('m'));
    // A job queue allows maxDeliveries (2) × HELD_DELIVERY_ALLOWANCE: workers count a job's starts themselves.
    const limit = 2 * HELD_DELIVERY_ALLOWANCE;
    for (let i = 0; i < limit; i++) await consumeOnce();
    expect(deliveries.map((d) => d.deliveryCount)).toEqual(Array.from({ length: limit }, (_, i) => i + 1));
    // One more would pass the limit: the broker dead-letters instead of delivering.
    const sub = await broker.consume(jobQueue('normal', 0), 1, () => {
      throw new Error('must not be delivered');
    });
    await new Promise((r) => setImmediate(r));
    await sub.cancel();
    expect(broker.depth(DEAD_LETTER_QUEUE)).toBe(1);
    expect(broker.deadLetters()[0]!.headers['x-conveyor-dead-reason']).toBe('delivery_limit');
    expect(broker.deadLetters()[0]!.headers['x-conveyor-dead-on-delivery']).toBeUndefined();
  });

  it('brings a message back after retryLater with its retry count', async () => {
    await broker.publish(message('r'));
    const first = await next(jobQueue('normal', 0));
    await first.retryLater(5, 'later');
    expect(broker.depth(jobQueue('normal', 0))).toBe(0);
    const again = await next(jobQueue('normal', 0));
    expect(again.messageId).toBe('r');
    expect(again.retries).toBe(1);
    expect(again.deliveryCount).toBe(1);
  });

  it("names the delivery a handler's dead letter was made on (a redelivery's copy is told apart), and the limit's none", async () => {
    await broker.publish(message('d'));
    let first: Delivery | undefined;
    const sub = await broker.consume(jobQueue('normal', 0), 1, (d) => void (first = d));
    await new Promise((r) => setImmediate(r));
    await sub.cancel(); // gone before settling: the message comes back as delivery 2
    const second = await next(jobQueue('normal', 0));
    await second.deadLetter('invalid job.requested');
    expect([first?.deliveryCount, second.deliveryCount]).toEqual([1, 2]);
    expect(broker.deadLetters()).toHaveLength(1);
    expect(broker.deadLetters()[0]!.headers).toMatchObject({
      'x-conveyor-dead-reason': 'invalid job.requested',
      'x-conveyor-source-queue': jobQueue('normal', 0),
      'x-conveyor-dead-on-delivery': 2,
    });
  });

  it('settles a delivery once, whatever is called after', async () => {
    await broker.publish(message('s'));
    const d = await next(jobQueue('normal', 0));
    await d.ack();
    await d.deadLetter('late');
    expect(broker.depth(DEAD_LETTER_QUEUE)).toBe(0);
  });

  it('routes events to a routed listener only while a matching pattern is bound, once per message', async () => {
    const heard: string[] = [];
    const routed = await broker.listenRouted('conveyor.events', (m) => heard.push(m.body.toString()));
    const delta = (jobId: string, label: string): OutboundMessage => ({
      ...message(label),
      type: 'job.delta',
      exchange: 'conveyor.events',
      routingKey: `job.delta.${jobId}`,
      body: Buffer.from(label),
      persistent: false,
    });
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
