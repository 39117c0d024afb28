import type { ChannelModel, ConsumeMessage } from 'amqplib';
import type { BroadcastMessage, Delivery, PausableSubscription, RoutedListener, Subscription } from '../broker-client.port';
import { AmqpChannelSubscription, type ConsumerSetup } from './amqp-channel.subscription';
import type { AmqpLogger } from './amqp-connection.manager';
import type { AmqpDelivery, AmqpDeliveryFactory } from './amqp-delivery.factory';
import { AmqpSettlementChannel } from './amqp-settlement.channel';
import { AmqpRoutedQueue } from './amqp-routed.queue';
import type { AmqpNames } from './amqp-topology';

export interface AmqpConsumerRegistryOptions {
  names: AmqpNames;
  deliveries: AmqpDeliveryFactory;
  logger: AmqpLogger;
  reconnectMs: number;
  currentConnection(): ChannelModel | null;
}

/**
 * Every live consumer of a client (queue consumers and wake-up listeners), each on a channel of its own,
 * so the client can bring them all back on a new connection and cancel them all on close.
 */
export class AmqpConsumerRegistry {
  private readonly subscriptions = new Set<AmqpChannelSubscription>();

  constructor(private readonly options: AmqpConsumerRegistryOptions) {}

  /** Pushes `queue`'s messages as Deliveries, at most `prefetch` unsettled at a time, with manual acks. */
  consume(queue: string, prefetch: number, onDelivery: (delivery: Delivery) => void): Promise<PausableSubscription> {
    const { names, deliveries } = this.options;
    return this.subscribe(`consumer of ${queue}`, async (channel, restart) => {
      const settlement = new AmqpSettlementChannel(channel);
      await channel.prefetch(prefetch);
      const onMessage = (message: ConsumeMessage | null) => {
        if (message) this.dispatch(deliveries.create(message, queue, settlement), onDelivery);
        else restart();
      };
      const { consumerTag } = await channel.consume(names.of(queue), onMessage, { noAck: false });
      return consumerTag;
    });
  }

  /** Calls `listener` for each message on `exchange` matching `pattern`, auto-acked (transient control messages). */
  listen(label: string, exchange: string, pattern: string, listener: (message: BroadcastMessage) => void): Promise<Subscription> {
    return this.subscribe(label, async (channel, restart) => {
      // Exclusive and auto-delete: the queue lives exactly as long as this listener's channel.
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      await channel.bindQueue(queue, this.options.names.of(exchange), pattern);
      const onMessage = (message: ConsumeMessage | null) => {
        if (!message) return restart();
        this.callListener(label, () => listener({ type: message.properties.type, body: message.content, headers: message.properties.headers ?? {} }));
      };
      const { consumerTag } = await channel.consume(queue, onMessage, { noAck: true });
      return consumerTag;
    });
  }

  /** A listener on a queue of its own whose bindings to `exchange` the caller changes at run time. */
  async listenRouted(label: string, exchange: string, listener: (message: BroadcastMessage) => void): Promise<RoutedListener> {
    const routed = new AmqpRoutedQueue(this.options.names.of(exchange), listener, (err) => this.options.logger.error(`${label} failed: ${err.message}`));
    return routed.asListener(await this.subscribe(label, routed.setup));
  }

  /** Re-opens every consumer on a new connection. */
  reattachAll(model: ChannelModel): void {
    for (const subscription of this.subscriptions) subscription.attachInBackground(model);
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.cancel()));
  }

  /**
   * Registers a subscription that survives reconnects. Connected, it starts now and a failure (an unknown
   * queue, say) rejects; disconnected, it starts with the next connection.
   */
  private async subscribe(label: string, setup: ConsumerSetup): Promise<AmqpChannelSubscription> {
    const { logger, reconnectMs, currentConnection } = this.options;
    const subscription: AmqpChannelSubscription = new AmqpChannelSubscription(
      { label, reconnectMs, logger, currentConnection, onCancelled: () => this.subscriptions.delete(subscription) },
      setup,
    );
    this.subscriptions.add(subscription);
    const model = currentConnection();
    if (!model) return subscription;
    try {
      await subscription.attach(model);
    } catch (err) {
      if (currentConnection() !== model) return subscription;
      await subscription.cancel();
      throw err;
    }
    return subscription;
  }

  /**
   * Hands a delivery to the consumer callback. The port types it as returning void, but an async callback
   * fits that type too: if it throws or rejects before settling, the message goes straight back to its queue.
   */
  private dispatch(delivery: AmqpDelivery, onDelivery: (delivery: Delivery) => void): void {
    const giveBack = (err: unknown) => {
      this.options.logger.error(`consumer of ${delivery.queue} failed: ${(err as Error).message}`);
      delivery.requeue();
    };
    try {
      const result: unknown = onDelivery(delivery);
      if (result instanceof Promise) result.catch(giveBack);
    } catch (err) {
      giveBack(err);
    }
  }

  private callListener(label: string, listener: () => void): void {
    try {
      listener();
    } catch (err) {
      this.options.logger.error(`${label} failed: ${(err as Error).message}`);
    }
  }
}
