import { randomUUID } from 'node:crypto';
import { deleteNamespace, eventually, Inbox, testClient, testNamespace } from '../../support/amqp.util';
import { type AmqpBrokerClient, type BroadcastMessage, type OutboundMessage, Exchanges } from '@conveyor/messaging';

/** A transient delta of `jobId` (what a streaming replica binds per watched job). */
const delta = (jobId: string, label: string): OutboundMessage => ({
  type: 'job.delta',
  exchange: Exchanges.events,
  routingKey: `job.delta.${jobId}`,
  body: Buffer.from(label),
  messageId: randomUUID(),
  headers: {},
  persistent: false,
});

const text = (m: BroadcastMessage) => m.body.toString('utf8');

/**
 * Each streaming replica's one exclusive queue, bound per watched job: it hears only the bound jobs, stops
 * hearing a job once unbound, and gets its queue and every binding back after a reconnect. A "fence" job stays
 * bound throughout, so "nothing else arrived" is checked by order (the fence comes next), not by waiting.
 */
describe('AmqpBrokerClient.listenRouted (RabbitMQ)', () => {
  const namespace = testNamespace();
  let client: AmqpBrokerClient;
  const fence = randomUUID();

  beforeAll(async () => {
    client = testClient(namespace, { reconnectMs: 200 });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
    await deleteNamespace(namespace);
  });

  it('receives only bound jobs, once each, and nothing after unbind', async () => {
    const inbox = new Inbox<BroadcastMessage>();
    const routed = await client.listenRouted(Exchanges.events, inbox.push);
    const [watched, other] = [randomUUID(), randomUUID()];
    await routed.bind(`job.*.${fence}`);
    await routed.bind(`job.*.${watched}`);
    await routed.bind(`job.delta.${watched}`); // overlapping patterns still deliver one copy

    await client.publish(delta(other, 'other'));
    await client.publish(delta(watched, 'watched'));
    await client.publish(delta(fence, 'fence-1'));
    expect(text(await inbox.next())).toBe('watched');
    expect(text(await inbox.next())).toBe('fence-1');

    await routed.unbind(`job.*.${watched}`);
    await routed.unbind(`job.delta.${watched}`);
    await client.publish(delta(watched, 'after unbind'));
    await client.publish(delta(fence, 'fence-2'));
    expect(text(await inbox.next())).toBe('fence-2');
    await routed.cancel();
  });

  it('re-declares its queue with every binding after a reconnect', async () => {
    const inbox = new Inbox<BroadcastMessage>();
    const routed = await client.listenRouted(Exchanges.events, inbox.push);
    const watched = randomUUID();
    await routed.bind(`job.*.${watched}`);

    client.simulateConnectionLoss();
    await eventually('the client to notice the loss', () => !client.isReady());
    await eventually('the client to reconnect', () => client.isReady());
    // Transient messages published before the listener's channel is back are lost: publish until one arrives.
    let received: BroadcastMessage | null = null;
    for (let i = 0; received === null && i < 50; i += 1) {
      await client.publish(delta(watched, 'after reconnect'));
      received = await inbox.next(200).catch(() => null);
    }
    expect(received && text(received)).toBe('after reconnect');
    await routed.cancel();
  });
});
