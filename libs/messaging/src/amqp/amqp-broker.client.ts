import { Logger } from '@nestjs/common';
import type { ChannelModel } from 'amqplib';
import type { PriorityBand } from '@conveyor/contracts';
import type {
  BandQueueDepth,
  BroadcastMessage,
  BrokerClient,
  Delivery,
  OutboundMessage,
  PausableSubscription,
  RoutedListener,
  Subscription,
} from '../broker-client.port';
import { BrokerUnavailableError } from '../broker-unavailable.exception';
import { assertRetryTiers, DEFAULT_TOPOLOGY, Exchanges, RETRY_DELAY_TIERS_MS, type TopologyOptions } from '../topology';
import { AmqpConfirmPublisher } from './amqp-confirm.publisher';
import { AmqpConnectionManager, type AmqpLogger } from './amqp-connection.manager';
import { AmqpConsumerRegistry } from './amqp-consumer.registry';
import { AmqpDeliveryFactory } from './amqp-delivery.factory';
import { AmqpQueueInspector } from './amqp-queue.inspector';
import { AmqpNames, declareTopology } from './amqp-topology';

export interface AmqpBrokerClientOptions {
  /** amqp(s)://user:pass@host:port/vhost. The password is never logged. */
  url: string;
  heartbeatS: number;
  publishTimeoutMs: number;
  /** Pause between reconnect attempts, and before re-opening a consumer channel the broker closed. */
  reconnectMs: number;
  /** Deliveries of a message (crashes and channel closes count) before the broker dead-letters it. */
  maxDeliveries: number;
  /** Shown by the broker's tools next to this connection. */
  connectionName: string;
  logger?: AmqpLogger;
  /** Prefixes every exchange and queue this client declares and uses (tests: one namespace per suite). */
  namespace?: string;
  /** The delay tiers of the retry queues; topology.ts's RETRY_DELAY_TIERS_MS unless a test needs others. */
  retryTiersMs?: readonly number[];
  /** Shard queues per band (JOB_QUEUE_SHARDS); topology.ts's default unless given. */
  topology?: TopologyOptions;
}

/**
 * Publishing to an exchange that does not exist makes the broker close the channel, failing every other
 * publish in flight on it; so only the topology's exchanges are accepted.
 */
const KNOWN_EXCHANGES: ReadonlySet<string> = new Set(Object.values(Exchanges));

/**
 * The RabbitMQ adapter of the BrokerClient port, on amqplib: quorum queues per band shard, publisher confirms with
 * a timeout, manual acks, retry queues in fixed delay tiers, a dead-letter exchange, and a connection that
 * reconnects by itself and brings every consumer back.
 */
export class AmqpBrokerClient implements BrokerClient {
  readonly kind = 'amqp' as const;
  private readonly logger: AmqpLogger;
  private readonly names: AmqpNames;
  private readonly connection: AmqpConnectionManager;
  private readonly publisher: AmqpConfirmPublisher;
  private readonly consumers: AmqpConsumerRegistry;
  private readonly inspector: AmqpQueueInspector;
  private readonly retryTiersMs: readonly number[];
  private closing: Promise<void> | null = null;

  constructor(private readonly options: AmqpBrokerClientOptions) {
    if (!Number.isInteger(options.maxDeliveries) || options.maxDeliveries < 1) throw new Error('maxDeliveries must be an integer of at least 1');
    this.retryTiersMs = options.retryTiersMs ?? RETRY_DELAY_TIERS_MS;
    assertRetryTiers(this.retryTiersMs);
    this.logger = options.logger ?? new Logger(AmqpBrokerClient.name);
    this.names = new AmqpNames(options.namespace);
    this.publisher = new AmqpConfirmPublisher(options.publishTimeoutMs, this.logger);
    this.connection = new AmqpConnectionManager({
      url: options.url,
      heartbeatS: options.heartbeatS,
      reconnectMs: options.reconnectMs,
      connectionName: options.connectionName,
      logger: this.logger,
      setup: (model) => this.setUpConnection(model),
      onConnected: (model) => this.consumers.reattachAll(model),
    });
    const currentConnection = () => this.connection.current;
    const deliveries = new AmqpDeliveryFactory(this.names, this.publisher, this.retryTiersMs);
    this.consumers = new AmqpConsumerRegistry({ names: this.names, deliveries, logger: this.logger, reconnectMs: options.reconnectMs, currentConnection });
    this.inspector = new AmqpQueueInspector(this.names, options.topology ?? DEFAULT_TOPOLOGY, currentConnection);
  }

  connect(): Promise<void> {
    if (this.closing) return Promise.reject(closedError());
    return this.connection.start();
  }

  isReady(): boolean {
    return this.connection.current !== null && !this.connection.isBlocked && this.publisher.isAttached;
  }

  async publish(message: OutboundMessage): Promise<void> {
    if (this.closing) throw closedError();
    if (!KNOWN_EXCHANGES.has(message.exchange)) throw new BrokerUnavailableError(`unknown exchange ${message.exchange}`, 'unroutable');
    if (this.connection.isBlocked) throw new BrokerUnavailableError('the broker is blocking publishes (resource alarm)', 'blocked');
    const exchange = this.names.of(message.exchange);
    const options = {
      type: message.type,
      messageId: message.messageId,
      contentType: 'application/json',
      timestamp: Math.floor(Date.now() / 1000),
      headers: message.headers,
      persistent: message.persistent,
      ...(message.cc?.length && { CC: [...message.cc] }),
      mandatory: !message.optionalRoute,
    };
    if (!message.persistent) return this.publisher.send(exchange, message.routingKey, message.body, options);
    await this.publisher.confirmed(exchange, message.routingKey, message.body, options);
  }

  async consume(queue: string, prefetch: number, onDelivery: (delivery: Delivery) => void): Promise<PausableSubscription> {
    if (this.closing) throw closedError();
    if (!Number.isInteger(prefetch) || prefetch < 1) throw new Error('prefetch must be an integer of at least 1 (0 would mean unlimited)');
    return this.consumers.consume(queue, prefetch, onDelivery);
  }

  listen(exchange: string, pattern: string, listener: (message: BroadcastMessage) => void): Promise<Subscription> {
    if (this.closing) return Promise.reject(closedError());
    if (!KNOWN_EXCHANGES.has(exchange)) return Promise.reject(new Error(`unknown exchange ${exchange}`));
    return this.consumers.listen(`listener on ${exchange} ${pattern}`, exchange, pattern, listener);
  }

  listenRouted(exchange: string, listener: (message: BroadcastMessage) => void): Promise<RoutedListener> {
    if (this.closing) return Promise.reject(closedError());
    if (!KNOWN_EXCHANGES.has(exchange)) return Promise.reject(new Error(`unknown exchange ${exchange}`));
    return this.consumers.listenRouted(`routed listener on ${exchange}`, exchange, listener);
  }

  /** Graceful: waits for confirms in flight, cancels every consumer (unsettled messages go back), then closes. */
  queueDepths(): Promise<Record<PriorityBand, BandQueueDepth>> {
    if (this.closing) return Promise.reject(closedError());
    return this.inspector.depths();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.publisher.settled();
      await this.consumers.cancelAll();
      await this.connection.close();
    })();
    return this.closing;
  }

  /** Drops the TCP connection as a network failure would, for reconnect tests and chaos drills. */
  simulateConnectionLoss(): void {
    this.connection.dropSocket();
  }

  /** Runs on every (re)connect before the client counts as connected: topology, then the publish channel. */
  private async setUpConnection(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.logger.warn(`declaring the topology: ${err.message}`));
    const skipped = await declareTopology(channel, this.names, this.options.maxDeliveries, this.retryTiersMs, this.options.topology ?? DEFAULT_TOPOLOGY);
    if (skipped.length > 0)
      this.logger.warn(`${skipped.join(', ')}: its node is down; carrying on without it (its consumer re-attaches once the node is back)`);
    await channel.close().catch(() => undefined);
    await this.openPublishChannel(model);
  }

  /** If the broker closes the publish channel while the connection lives on, a new one replaces it. */
  private async openPublishChannel(model: ChannelModel): Promise<void> {
    const reopen = () =>
      // A lost connection closes its channels just before it reports itself closed: look once it has.
      setImmediate(() => {
        if (this.closing || this.connection.current !== model) return;
        this.openPublishChannel(model).catch((err: Error) => this.logger.error(`could not re-open the publish channel: ${err.message}`));
      });
    this.publisher.attach(await model.createConfirmChannel(), { open: () => model.createConfirmChannel(), onClosed: reopen });
  }
}

function closedError(): BrokerUnavailableError {
  return new BrokerUnavailableError('broker client is closed', 'closed');
}
