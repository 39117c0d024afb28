import type { Channel, ConsumeMessage } from 'amqplib';
import type { BroadcastMessage, RoutedListener, Subscription } from '../broker-client.port';
import type { ConsumerSetup } from './amqp-channel.subscription';

/**
 * The state behind one RoutedListener: an exclusive, auto-delete, server-named queue on a consumer channel of
 * its own, and the patterns bound to it. The queue dies with its channel, so every (re)attach declares a new
 * one and binds every pattern again (`setup`); between attaches, bind/unbind only change the pattern set.
 */
export class AmqpRoutedQueue {
  private readonly patterns = new Set<string>();
  private current: { channel: Channel; queue: string } | null = null;
  private subscription: Subscription | null = null;

  constructor(
    private readonly exchange: string,
    private readonly listener: (message: BroadcastMessage) => void,
    private readonly onListenerError: (err: Error) => void,
  ) {}

  /** The consumer set-up, run by the subscription on each new channel. */
  readonly setup: ConsumerSetup = async (channel, restart) => {
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    // A pattern bound while this loop awaits is still visited: a Set's iteration includes later additions.
    for (const pattern of this.patterns) await channel.bindQueue(queue, this.exchange, pattern);
    channel.once('close', () => {
      if (this.current?.channel === channel) this.current = null;
    });
    const onMessage = (message: ConsumeMessage | null) => {
      if (!message) return restart();
      try {
        this.listener({ type: message.properties.type, body: message.content, headers: message.properties.headers ?? {} });
      } catch (err) {
        this.onListenerError(err as Error);
      }
    };
    const { consumerTag } = await channel.consume(queue, onMessage, { noAck: true });
    this.current = { channel, queue };
    return consumerTag;
  };

  /** The port's view, once the subscription that carries the channel exists. */
  asListener(subscription: Subscription): RoutedListener {
    this.subscription = subscription;
    return {
      bind: (pattern) => this.bind(pattern),
      unbind: (pattern) => this.unbind(pattern),
      cancel: () => this.cancel(),
    };
  }

  private async bind(pattern: string): Promise<void> {
    this.patterns.add(pattern);
    if (this.current) await this.current.channel.bindQueue(this.current.queue, this.exchange, pattern);
  }

  private async unbind(pattern: string): Promise<void> {
    this.patterns.delete(pattern);
    if (this.current) await this.current.channel.unbindQueue(this.current.queue, this.exchange, pattern);
  }

  private async cancel(): Promise<void> {
    this.patterns.clear();
    this.current = null;
    await this.subscription?.cancel();
  }
}
