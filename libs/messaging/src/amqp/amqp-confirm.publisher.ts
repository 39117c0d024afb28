import { IllegalOperationError, type ConfirmChannel, type Message, type Options } from 'amqplib';
import { BrokerUnavailableError } from '../broker-unavailable.exception';
import type { AmqpLogger } from './amqp-connection.manager';

interface PendingConfirm {
  settle(error?: BrokerUnavailableError): void;
}

/** What a returned message is matched on: the broker echoes exchange, routing key and properties back. */
const returnKey = (exchange: string, routingKey: string, messageId: unknown): string => `${exchange}\u0000${routingKey}\u0000${String(messageId)}`;

/** What the publisher asks of its connection: a new confirm channel, and word that the current one closed. */
export interface PublishChannelSource {
  open(): Promise<ConfirmChannel>;
  onClosed(): void;
}

/** After a nack, the channel is replaced at most this often. */
const RENEW_AFTER_NACK_MIN_INTERVAL_MS = 1_000;

/**
 * Publishes on the connection's one confirm channel. Every confirmed publish awaits its own broker ack, so
 * concurrent publishes pipeline on the channel instead of queueing behind each other. A mandatory message
 * that no queue takes comes back as basic.return before its ack; it is matched to its publish by exchange,
 * routing key and messageId (returns arrive in publish order, so the oldest pending publish of that key).
 *
 * A nack replaces the channel. RabbitMQ (3.10) keeps, per channel and quorum queue, a client that is set up on the
 * channel's first publish to the queue, with the leader the queue's record named then. If that node was down by
 * then, every later publish to the queue on that channel is nacked, even after a new leader is elected, until the
 * channel closes. A fresh channel sets up a client with the current leader.
 */
export class AmqpConfirmPublisher {
  private channel: ConfirmChannel | null = null;
  private source: PublishChannelSource | null = null;
  private renewing = false;
  private lastRenewAt = Number.NEGATIVE_INFINITY;
  private readonly awaitingReturn = new Map<string, PendingConfirm[]>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly confirmTimeoutMs: number,
    private readonly logger: AmqpLogger,
  ) {}

  get isAttached(): boolean {
    return this.channel !== null;
  }

  /**
   * Publishes through `channel` from now on; `source` opens its replacement after a nack. When it closes, publishing
   * fails fast until the next attach, and `source.onClosed` runs (the broker closes a channel on a channel-level
   * error, the connection may live on).
   */
  attach(channel: ConfirmChannel, source: PublishChannelSource): void {
    channel.on('return', (message: Message) => this.onReturn(message));
    channel.on('error', (err: Error) => this.logger.warn(`publish channel error: ${err.message}`));
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = null;
      source.onClosed();
    });
    this.channel = channel;
    this.source = source;
  }

  /** Resolves once the broker confirms the message; rejects with BrokerUnavailableError otherwise. */
  confirmed(exchange: string, routingKey: string, body: Buffer, options: Options.Publish): Promise<void> {
    const channel = this.requireChannel();
    const key = returnKey(exchange, routingKey, options.messageId);
    const published = new Promise<void>((resolve, reject) => {
      let done = false;
      const pending: PendingConfirm = {
        settle: (error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.forget(key, pending);
          if (error) reject(error);
          else resolve();
        },
      };
      const timer = setTimeout(
        () => pending.settle(new BrokerUnavailableError(`no confirm within ${this.confirmTimeoutMs} ms`, 'confirm_timeout')),
        this.confirmTimeoutMs,
      );
      this.awaitingReturn.set(key, [...(this.awaitingReturn.get(key) ?? []), pending]);
      try {
        channel.publish(exchange, routingKey, body, { mandatory: true, ...options }, (err: unknown) => {
          const failure = err ? confirmFailure(err) : undefined;
          if (failure?.code === 'nacked') this.renewAfterNack(channel);
          pending.settle(failure);
        });
      } catch (err) {
        clearTimeout(timer);
        this.forget(key, pending);
        reject(asUnavailable(err));
      }
    });
    const tracked = published.catch(() => undefined);
    this.inFlight.add(tracked);
    void tracked.then(() => this.inFlight.delete(tracked));
    return published;
  }

  /**
   * Writes a transient message without waiting for a confirm. Not mandatory: a delta nobody watches is
   * normal, and a return for it would be noise. It shares the confirm channel so it stays ordered with the
   * confirmed messages published around it (a job's deltas before its terminal event).
   */
  send(exchange: string, routingKey: string, body: Buffer, options: Options.Publish): void {
    const channel = this.requireChannel();
    try {
      channel.publish(exchange, routingKey, body, { ...options, mandatory: false });
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  /** Resolves once every confirmed publish in flight has settled (each is bounded by the confirm timeout). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /**
   * Moves publishing to a new channel on the same connection. The old one closes once every confirm it owes has
   * settled (each within the confirm timeout). Transient messages sent just before the switch are not ordered with
   * confirmed ones sent just after it; a nack is rare enough for that to be the price.
   */
  private renewAfterNack(nacked: ConfirmChannel): void {
    const source = this.source;
    if (!source || this.channel !== nacked || this.renewing || Date.now() - this.lastRenewAt < RENEW_AFTER_NACK_MIN_INTERVAL_MS) return;
    this.renewing = true;
    this.lastRenewAt = Date.now();
    source
      .open()
      .then((fresh) => {
        if (this.channel !== nacked) return fresh.close();
        this.attach(fresh, source);
        this.logger.warn('the broker nacked a publish: publishing on a new channel from now on');
        setTimeout(() => void nacked.close().catch(() => undefined), this.confirmTimeoutMs).unref();
      })
      .catch((err: Error) => this.logger.warn(`could not open a new publish channel after a nack: ${err.message}`))
      .finally(() => (this.renewing = false));
  }

  private requireChannel(): ConfirmChannel {
    if (!this.channel) throw new BrokerUnavailableError('not connected to the broker', 'disconnected');
    return this.channel;
  }

  private onReturn(message: Message): void {
    const { exchange, routingKey, replyText } = message.fields as Message['fields'] & { replyText?: string };
    const pending = this.awaitingReturn.get(returnKey(exchange, routingKey, message.properties.messageId))?.[0];
    pending?.settle(new BrokerUnavailableError(`no queue took ${exchange}/${routingKey} (${replyText ?? 'NO_ROUTE'})`, 'unroutable'));
  }

  private forget(key: string, pending: PendingConfirm): void {
    const rest = (this.awaitingReturn.get(key) ?? []).filter((p) => p !== pending);
    if (rest.length > 0) this.awaitingReturn.set(key, rest);
    else this.awaitingReturn.delete(key);
  }
}

/**
 * amqplib throws IllegalOperationError on a channel that has just closed; anything else it throws (a
 * header table over 64 KiB, say) is the caller's mistake and is passed on as it is.
 */
function asUnavailable(err: unknown): unknown {
  if (err instanceof IllegalOperationError) return new BrokerUnavailableError(`publish channel closed: ${err.message}`, 'disconnected');
  return err;
}

/** amqplib reports a nack and a channel closed under unconfirmed messages only by the error's message. */
function confirmFailure(err: unknown): BrokerUnavailableError {
  const message = err instanceof Error ? err.message : String(err);
  if (message === 'message nacked') return new BrokerUnavailableError('the broker nacked the message', 'nacked');
  return new BrokerUnavailableError(`publish channel closed before the confirm: ${message}`, 'unconfirmed');
}
