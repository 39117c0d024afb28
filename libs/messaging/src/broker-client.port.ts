import type { MessageType, PriorityBand } from '@conveyor/contracts';

/** A message ready for the wire. Built by MessagePublisher; adapters only move it. */
export interface OutboundMessage {
  type: MessageType;
  exchange: string;
  routingKey: string;
  /** UTF-8 JSON of the payload, already validated. */
  body: Buffer;
  messageId: string;
  /** W3C trace context (`traceparent`, `tracestate`) and other string headers. */
  headers: Record<string, string>;
  /** Persistent messages are confirmed by the broker before publish resolves; transient ones are fire-and-forget. */
  persistent: boolean;
  /** More routing keys on the same exchange (sender-selected distribution): one publish, several routes. */
  cc?: readonly string[];
  /**
   * A persistent message that no queue takes is refused (unroutable), so a job is never published into nothing.
   * With `optionalRoute`, it is confirmed and dropped instead: a job's end that nobody streams, waits for or has a
   * webhook for.
   */
  optionalRoute?: boolean;
}

/** A message handed to a consumer, with the three ways to settle it. */
export interface Delivery {
  /** The AMQP `type` property: the message type, untrusted until validated. */
  type: string | undefined;
  body: Buffer;
  messageId: string | undefined;
  queue: string;
  routingKey: string;
  headers: Record<string, unknown>;
  /** How many times the broker has delivered this message, from 1 (crashes and channel closes count). */
  deliveryCount: number;
  /** How many times a handler asked to retry this message later, from 0. */
  retries: number;
  ack(): Promise<void>;
  /**
   * Republishes to the delay queue of the smallest tier ≥ `delayMs` (confirmed), which returns it to
   * `<queue>` once that tier's delay has passed, then acks: a delay is rounded up to a tier, never early.
   * `counts: false` leaves `retries` as it is (a wait for a dependency, not a failure of the message).
   */
  retryLater(delayMs: number, reason: string, counts?: boolean): Promise<void>;
  /** Publishes to the dead-letter exchange with the reason (confirmed), then acks. */
  deadLetter(reason: string): Promise<void>;
}

/** A message heard by a transient listener: no settlement, no redelivery. */
export interface BroadcastMessage {
  type: string | undefined;
  body: Buffer;
  headers: Record<string, unknown>;
}

export interface Subscription {
  cancel(): Promise<void>;
}

/** A queue consumer that can stop taking deliveries for a while and keep what it holds (see the job scheduler). */
export interface PausableSubscription extends Subscription {
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/**
 * A queue of this process's own whose bindings change at run time: each streaming replica binds the jobs its
 * clients watch (`job.*.<job_id>`) and unbinds them when the last watcher leaves, so it receives only those
 * jobs' events. A message matching several bound patterns arrives once. Bindings survive reconnects.
 */
export interface RoutedListener extends Subscription {
  bind(pattern: string): Promise<void>;
  unbind(pattern: string): Promise<void>;
}

/** A priority band's work queues as the broker sees them. */
export interface BandQueueDepth {
  /** The band's queues (canonical names). */
  queues: string[];
  /** Messages ready to be taken, summed over the band's queues (messages a worker holds unacked are not counted). */
  messages: number;
  /** The most consumers on one of the band's queues: every worker consumes each shard, so this is how many consume the band. */
  consumers: number;
}

/**
 * The port every broker adapter implements: RabbitMQ (amqplib) for production, in-process for the embedded
 * mode and unit tests. Both honour the same semantics: manual acks, prefetch, redelivery with a delivery count, a
 * delivery limit, retry queues and dead-lettering; band order is the worker's (see the job scheduler).
 */
export interface BrokerClient {
  readonly kind: 'amqp' | 'in-process';
  /** Connects (reconnecting by itself afterwards) and declares the whole topology. Idempotent. */
  connect(): Promise<void>;
  /** Resolves once the broker has taken responsibility (confirm) for persistent messages. Rejects with BrokerUnavailableError. */
  publish(message: OutboundMessage): Promise<void>;
  /** Pushes a queue's messages to `onDelivery`, at most `prefetch` unsettled at a time. Survives reconnects. */
  consume(queue: string, prefetch: number, onDelivery: (delivery: Delivery) => void): Promise<PausableSubscription>;
  /**
   * Hears every message published to `exchange` whose routing key matches `pattern`, on a queue of this
   * process's own that lives as long as the subscription (control messages such as cancel requests).
   */
  listen(exchange: string, pattern: string, listener: (message: BroadcastMessage) => void): Promise<Subscription>;
  /** Like `listen`, but starting with no binding: the caller binds and unbinds routing patterns as it goes. */
  listenRouted(exchange: string, listener: (message: BroadcastMessage) => void): Promise<RoutedListener>;
  /** True while connected and able to publish. */
  isReady(): boolean;
  /** Each band's work queues, read from the broker itself (RabbitMQ: a passive declare per queue). */
  queueDepths(): Promise<Record<PriorityBand, BandQueueDepth>>;
  close(): Promise<void>;
}

export const BROKER_CLIENT = Symbol('BROKER_CLIENT');
