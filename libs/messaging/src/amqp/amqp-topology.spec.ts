import type { Channel } from 'amqplib';
import { DEFAULT_TOPOLOGY, DELTAS_QUEUE } from '../topology';
import { AmqpNames, declareTopology } from './amqp-topology';

/** A channel that records declarations and fails the classic queue's with `error`. */
function channelFailingClassic(error: Error | null) {
  const declared: string[] = [];
  const channel = {
    assertExchange: async () => undefined,
    bindQueue: async () => undefined,
    unbindQueue: async () => undefined,
    assertQueue: async (name: string, options: { arguments?: Record<string, unknown> }) => {
      if (error && options.arguments?.['x-queue-type'] === 'classic') throw error;
      declared.push(name);
    },
  } as unknown as Channel;
  return { channel, declared };
}

const declare = (channel: Channel) => declareTopology(channel, new AmqpNames(), 5, [1_000], DEFAULT_TOPOLOGY);

describe('declareTopology', () => {
  it('declares every quorum queue before the classic one, and skips the classic one while its home node is down', async () => {
    const down = new Error(
      `Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - home node 'rabbit@b' of durable queue '${DELTAS_QUEUE}' in vhost '/' is down or inaccessible"`,
    );
    const { channel, declared } = channelFailingClassic(down);
    expect(await declare(channel)).toEqual([DELTAS_QUEUE]);
    expect(declared).toContain('conveyor.jobs.normal.0');
    expect(declared).toContain('conveyor.persistence');
    expect(declared).not.toContain(DELTAS_QUEUE);
  });

  it('fails on any other error of the classic queue', async () => {
    const { channel } = channelFailingClassic(new Error('406 (PRECONDITION-FAILED) inequivalent arg'));
    await expect(declare(channel)).rejects.toThrow(/PRECONDITION-FAILED/);
  });

  it('skips nothing when every node is up', async () => {
    const { channel, declared } = channelFailingClassic(null);
    expect(await declare(channel)).toEqual([]);
    expect(declared).toContain(DELTAS_QUEUE);
  });
});
