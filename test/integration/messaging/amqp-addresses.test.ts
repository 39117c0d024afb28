import { createServer } from 'node:net';
import type { AmqpBrokerClient, Delivery } from '@conveyor/messaging';
import { capturingLogger, deleteNamespace, eventMessage, eventually, Inbox, TEST_BROKER_URL, testClient, testNamespace } from '../../support/amqp.util';
import { TcpProxy } from '../../support/tcp-proxy.util';

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The test broker's URL with another port (a proxy in front of it, or a closed one). */
function onPort(port: number): string {
  const url = new URL(TEST_BROKER_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

// Several addresses in BROKER_URL, on the real RabbitMQ of this machine: two TCP proxies in front of it stand for
// two nodes of a cluster, and a closed port for a node that is down.
describe('AmqpBrokerClient with several broker addresses', () => {
  const namespace = testNamespace();
  const target = new URL(TEST_BROKER_URL);
  const proxies: TcpProxy[] = [];
  const clients: AmqpBrokerClient[] = [];

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(proxies.map((p) => p.cut()));
    await deleteNamespace(namespace);
  });

  async function proxy(): Promise<TcpProxy> {
    const p = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5672) });
    proxies.push(p);
    return p;
  }

  it('connects to the first address that answers', async () => {
    const logger = capturingLogger();
    const down = await closedPort();
    const up = await proxy();
    const client = testClient(namespace, { url: `${onPort(down)}, ${onPort(up.port)}`, logger });
    clients.push(client);
    await client.connect();
    expect(client.isReady()).toBe(true);
    expect(logger.lines.some((l) => l.startsWith(`could not connect to amqp://guest:***@127.0.0.1:${down}`))).toBe(true);
    expect(logger.lines.some((l) => l.startsWith(`connected to amqp://guest:***@127.0.0.1:${up.port}`))).toBe(true);
    expect(logger.lines.join('\n')).not.toContain(':guest@');
  });

  it('fails its first start only once every address was tried', async () => {
    const client = testClient(namespace, { url: `${onPort(await closedPort())},${onPort(await closedPort())}`, reconnectMs: 60_000 });
    clients.push(client);
    const startedAt = Date.now();
    await expect(client.connect()).rejects.toThrow(/cannot connect to any broker address/);
    // No pause between the two addresses (the pause is reconnectMs, a minute here).
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('moves to the next address at once when its node goes away, and its consumers carry on there', async () => {
    const logger = capturingLogger();
    const [first, second] = [await proxy(), await proxy()];
    // A long pause between rounds: only moving to the next address straight away can reconnect in time.
    const client = testClient(namespace, { url: `${onPort(first.port)},${onPort(second.port)}`, logger, reconnectMs: 60_000 });
    clients.push(client);
    await client.connect();
    const inbox = new Inbox<Delivery>();
    await client.consume('conveyor.persistence', 4, inbox.push);

    await first.cut();
    await eventually('the client to notice the loss', () => !client.isReady());
    await eventually('the client to reconnect through the second address', () => client.isReady());
    expect(logger.lines.some((l) => l.includes(`lost`) && l.includes(`trying amqp://guest:***@127.0.0.1:${second.port}`))).toBe(true);
    const message = eventMessage('job.outcome');
    await client.publish(message);
    const delivered = await inbox.next();
    expect(delivered.messageId).toBe(message.messageId);
    await delivered.ack();
  });
});
