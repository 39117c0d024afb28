import type { ChannelModel } from 'amqplib';
import { PRIORITY_BANDS, type PriorityBand } from '@conveyor/contracts';
import type { BandQueueDepth } from '../broker-client.port';
import { BrokerUnavailableError } from '../broker-unavailable.exception';
import { bandOfQueue, jobQueues, type TopologyOptions } from '../topology';
import type { AmqpNames } from './amqp-topology';

/**
 * Reads each band's depth and consumers with a passive `queue.declare` (amqplib's `checkQueue`) of every shard
 * queue, on a channel of its own opened for the reading: a failed check closes its channel, which must not be one
 * that publishes or holds deliveries.
 */
export class AmqpQueueInspector {
  constructor(
    private readonly names: AmqpNames,
    private readonly topology: TopologyOptions,
    private readonly currentConnection: () => ChannelModel | null,
  ) {}

  async depths(): Promise<Record<PriorityBand, BandQueueDepth>> {
    const model = this.currentConnection();
    if (!model) throw new BrokerUnavailableError('not connected to the broker', 'disconnected');
    const channel = await model.createChannel();
    channel.on('error', () => undefined); // a failed check surfaces as its own rejection below
    try {
      const depths = Object.fromEntries(PRIORITY_BANDS.map((band) => [band, { queues: [] as string[], messages: 0, consumers: 0 }])) as Record<
        PriorityBand,
        BandQueueDepth
      >;
      for (const queue of jobQueues(this.topology)) {
        const depth = depths[bandOfQueue(queue)!];
        const { messageCount, consumerCount } = await channel.checkQueue(this.names.of(queue));
        depth.queues.push(queue);
        depth.messages += messageCount;
        // Every worker consumes every shard of a band: the most consumers on one shard is how many consume the band.
        depth.consumers = Math.max(depth.consumers, consumerCount);
      }
      return depths;
    } catch (err) {
      if (this.currentConnection() !== model) throw new BrokerUnavailableError('connection lost while reading queue depths', 'disconnected');
      throw err;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}
