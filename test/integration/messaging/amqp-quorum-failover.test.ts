import { connect, type ConfirmChannel } from 'amqplib';
import { AmqpNames, BrokerUnavailableError, jobQueue, type AmqpBrokerClient } from '@conveyor/messaging';
import { capturingLogger, jobMessage, testClient, testNamespace } from '../../support/amqp.util';
import { RabbitCluster, type RabbitNode } from '../../support/rabbitmq-cluster.util';

jest.setTimeout(300_000);

/** Polls `probe` every 300 ms until it answers something, for at most `ms`. */
async function until<T>(what: string, probe: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await probe();
    if (answer !== null) return answer;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Publishes one persistent message straight to `queue` and answers what the broker said of it. */
function answerOf(channel: ConfirmChannel, queue: string): Promise<'ack' | 'nack' | 'no answer'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('no answer'), 10_000);
    channel.sendToQueue(queue, Buffer.from('{}'), { persistent: true }, (err) => {
      clearTimeout(timer);
      resolve(err ? 'nack' : 'ack');
    });
  });
}

/**
 * A private cluster of three nodes of the machine's own rabbitmq-server (3.10 here; the test reads the version from
 * the broker). Stopping a quorum queue's leader and then the node that took over leaves the queue without a quorum,
 * its record naming the second, stopped node. On RabbitMQ up to 3.10, a channel whose first publish to the queue
 * comes then keeps a queue client aimed at that stopped node, and the broker nacks every later publish on that
 * channel, even once a leader is back. The publisher moves to a new channel after a nack, so it recovers.
 */
describe('AmqpBrokerClient publishing across a quorum queue losing and regaining its leader (three-node RabbitMQ cluster)', () => {
  let rabbit: RabbitCluster | undefined;
  let client: AmqpBrokerClient | undefined;

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await rabbit?.destroy();
  });

  it('after nacks from a queue with no leader, publishes are confirmed again once it has one, on a new channel', async () => {
    rabbit = await RabbitCluster.start(3);
    const cluster = rabbit;
    const namespace = testNamespace();
    const queue = new AmqpNames(namespace).of(jobQueue('high', 0));
    // Declared through the first node: it leads every queue at first.
    const declarer = testClient(namespace, { url: cluster.nodes[0]!.url });
    await declarer.connect();
    await declarer.close();
    const leaderNow = (): Promise<RabbitNode | null> => cluster.leaderOf(queue).catch(() => null);
    const first = (await leaderNow())!;
    await cluster.stop(first);
    const second = await until('a new leader', async () => {
      const leader = await leaderNow();
      return leader && leader !== first && leader.process ? leader : null;
    });
    const survivor = cluster.nodes.find((n) => n !== first && n !== second)!;
    const logger = capturingLogger();
    client = testClient(namespace, { url: survivor.url, logger });
    await client.connect();
    const raw = await connect(survivor.url);
    raw.on('error', () => undefined);
    const version = String((raw.connection as unknown as { serverProperties: { version: string } }).serverProperties.version);

    await cluster.stop(second);
    const stale = await raw.createConfirmChannel();
    expect(await answerOf(stale, queue)).toBe('nack');
    await expect(client.publish(jobMessage('high'))).rejects.toEqual(expect.objectContaining({ code: 'nacked' }) as BrokerUnavailableError);

    await cluster.restart(first);
    // Each attempt is a message of its own, so the queue's contents can be matched to what each publish was told.
    const told = new Map<string, string>();
    const confirmedLabel = await until(
      'a confirmed publish',
      async () => {
        const label = `attempt-${told.size + 1}`;
        try {
          await client!.publish(jobMessage('high', label));
          told.set(label, 'confirmed');
          return label;
        } catch (err) {
          told.set(label, (err as BrokerUnavailableError).code);
          return null;
        }
      },
      90_000,
    );

    expect(logger.lines).toContain('the broker nacked a publish: publishing on a new channel from now on');
    // What the publisher works around: a channel set up while the leader was gone is nacked still (fixed after 3.10).
    if (/^3\.(8|9|10)\./.test(version)) expect(await answerOf(stale, queue)).toBe('nack');
    // The queue holds the confirmed message, and nothing nacked; a publish that timed out may or may not be there.
    const check = await raw.createChannel();
    const held: string[] = [];
    for (let m = await check.get(queue, { noAck: true }); m; m = await check.get(queue, { noAck: true })) {
      held.push((JSON.parse(m.content.toString()) as { label: string }).label);
    }
    expect(held).toContain(confirmedLabel);
    expect(held.filter((label) => told.get(label) !== 'confirmed' && told.get(label) !== 'confirm_timeout')).toEqual([]);
    await raw.close().catch(() => undefined);
  });
});
