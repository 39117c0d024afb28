import type { Channel, ChannelModel } from 'amqplib';
import { BrokerUnavailableError } from '../broker-unavailable.exception';
import type { AmqpLogger } from './amqp-connection.manager';
import type { AmqpDelivery, AmqpDeliveryFactory } from './amqp-delivery.factory';
import { AmqpSettlementChannel } from './amqp-settlement.channel';
import type { AmqpNames } from './amqp-topology';

interface TakeChannel {
  model: ChannelModel;
  channel: Channel;
  settlement: AmqpSettlementChannel;
}

/**
 * Strict priority by pulling: `basic.get` on each queue in order, so a message is only ever taken from a
 * band when every higher band was empty a moment before. All worker slots share one channel per connection;
 * amqplib runs its RPCs one after another, so concurrent takes interleave safely and never take the same
 * message twice. Messages taken stay unacked on that channel until settled (a get ignores prefetch).
 */
export class AmqpPriorityTaker {
  private channel: Promise<TakeChannel> | null = null;

  constructor(
    private readonly names: AmqpNames,
    private readonly deliveries: AmqpDeliveryFactory,
    private readonly logger: AmqpLogger,
    private readonly currentConnection: () => ChannelModel | null,
  ) {}

  async take(queues: readonly string[]): Promise<AmqpDelivery | null> {
    const taker = await this.openChannel();
    for (const queue of queues) {
      let message;
      try {
        message = await taker.channel.get(this.names.of(queue), { noAck: false });
      } catch (err) {
        if (this.currentConnection() === taker.model) throw err;
        throw new BrokerUnavailableError(`connection lost while taking from ${queue}`, 'disconnected');
      }
      if (message) return this.deliveries.create(message, queue, taker.settlement);
    }
    return null;
  }

  /** The take channel of the current connection, opened on first use and again after it closes. */
  private async openChannel(): Promise<TakeChannel> {
    const model = this.currentConnection();
    if (!model) throw new BrokerUnavailableError('not connected to the broker', 'disconnected');
    const known = this.channel;
    if (known) {
      const open = await known.catch(() => null);
      if (open && open.model === model && open.settlement.isOpen) return open;
      // Another take already started re-opening it while this one waited: share that channel.
      if (this.channel !== known) return this.openChannel();
    }
    return this.reopen(model);
  }

  private reopen(model: ChannelModel): Promise<TakeChannel> {
    const opening = model.createChannel().then((channel): TakeChannel => {
      channel.on('error', (err: Error) => this.logger.warn(`take channel error: ${err.message}`));
      return { model, channel, settlement: new AmqpSettlementChannel(channel) };
    });
    this.channel = opening;
    opening.catch(() => {
      if (this.channel === opening) this.channel = null;
    });
    return opening;
  }
}
