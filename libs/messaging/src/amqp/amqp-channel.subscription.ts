import type { Channel, ChannelModel } from 'amqplib';
import type { PausableSubscription } from '../broker-client.port';
import type { AmqpLogger } from './amqp-connection.manager';

/**
 * Sets up a consumer on a fresh channel and answers its consumer tag. amqplib hands the consumer a null
 * message when the broker cancels it (its queue was deleted, say): call `restart` then.
 */
export type ConsumerSetup = (channel: Channel, restart: () => void) => Promise<string>;

export interface AmqpChannelSubscriptionOptions {
  /** For log lines: what this subscription consumes. */
  label: string;
  reconnectMs: number;
  logger: AmqpLogger;
  /** The live connection, or null while reconnecting. */
  currentConnection(): ChannelModel | null;
  /** Called once, by cancel(). */
  onCancelled(): void;
}

/**
 * A consumer on a channel of its own that outlives its channel. After a reconnect the client calls
 * `attach` with the new connection; when only the channel dies (a consumer timeout, a channel error, a
 * broker-side cancel) while the connection lives, it re-attaches by itself after `reconnectMs`.
 */
export class AmqpChannelSubscription implements PausableSubscription {
  private active = true;
  private paused = false;
  private channel: Channel | null = null;
  /** True once the channel is set up (whether or not it is consuming right now: a paused consumer is attached). */
  private attached = false;
  private consumerTag: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: AmqpChannelSubscriptionOptions,
    private readonly setup: ConsumerSetup,
  ) {}

  /** Opens a channel on `model` and starts consuming; rejects if that fails (the caller decides whether to retry). */
  async attach(model: ChannelModel): Promise<void> {
    if (!this.active) return;
    const channel = await model.createChannel();
    // An error while setting up also rejects the setup, and is reported there.
    channel.on('error', (err: Error) => {
      if (this.consumerTag) this.options.logger.warn(`${this.options.label}: channel error: ${err.message}`);
    });
    channel.once('close', () => this.onChannelClosed(channel, model));
    this.channel = channel;
    try {
      if (!this.paused) await this.startConsuming(channel);
      this.attached = true;
    } catch (err) {
      await channel.close().catch(() => undefined);
      throw err;
    }
    if (!this.active) await channel.close().catch(() => undefined);
  }

  /**
   * Stops deliveries and keeps the channel: what was delivered stays this consumer's to settle (basic.cancel, not
   * a channel close, which would hand it all back).
   */
  async pause(): Promise<void> {
    if (this.paused) return;
    this.paused = true;
    const { channel, consumerTag } = this;
    this.consumerTag = null;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
  }

  /** Takes deliveries again, on the same channel. */
  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    if (this.channel && this.attached && !this.consumerTag) await this.startConsuming(this.channel).catch(() => undefined);
  }

  private async startConsuming(channel: Channel): Promise<void> {
    const tag = await this.setup(channel, () => this.restart(channel));
    if (this.channel === channel && !this.paused) this.consumerTag = tag;
    else await channel.cancel(tag).catch(() => undefined);
  }

  /** Like `attach`, but never rejects: on failure it tries again after `reconnectMs` while `model` stays current. */
  attachInBackground(model: ChannelModel): void {
    this.attach(model).catch((err: Error) => {
      if (!this.active || this.options.currentConnection() !== model) return;
      this.options.logger.warn(`${this.options.label}: could not start consuming (${err.message}); retrying in ${this.options.reconnectMs} ms`);
      this.retryLater(model);
    });
  }

  /** Stops the consumer for good: unsettled messages go back to the queue as the channel closes. */
  async cancel(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.options.onCancelled();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const { channel, consumerTag } = this;
    this.channel = null;
    if (!channel) return;
    if (consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }

  /** Closes the channel of a consumer the broker cancelled, which schedules a re-attach. */
  private restart(channel: Channel): void {
    this.options.logger.warn(`${this.options.label}: the broker cancelled the consumer`);
    void channel.close().catch(() => undefined);
  }

  private onChannelClosed(channel: Channel, model: ChannelModel): void {
    if (this.channel !== channel) return;
    const wasAttached = this.attached;
    this.channel = null;
    this.attached = false;
    this.consumerTag = null;
    // A channel that closed while being set up failed its attach(), whose caller decides what comes next.
    if (!wasAttached) return;
    // A lost connection closes its channels just before it reports itself closed, and the reconnect
    // re-attaches every subscription; so look once that report is in, and act only if the connection lives.
    setImmediate(() => {
      if (!this.active || this.channel || this.options.currentConnection() !== model) return;
      this.options.logger.warn(`${this.options.label}: channel closed; re-opening in ${this.options.reconnectMs} ms`);
      this.retryLater(model);
    });
  }

  private retryLater(model: ChannelModel): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.active && !this.channel && this.options.currentConnection() === model) this.attachInBackground(model);
    }, this.options.reconnectMs);
  }
}
