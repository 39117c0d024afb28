import { randomUUID } from 'node:crypto';
import { PRIORITY_BANDS, type PriorityBand } from '@conveyor/contracts';
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
import {
  assertRetryTiers,
  bandOfQueue,
  DEAD_LETTER_QUEUE,
  DEFAULT_TOPOLOGY,
  deliveryLimitOf,
  Exchanges,
  queueSpecs,
  RETRY_DELAY_TIERS_MS,
  retryTierFor,
  topicMatches,
  type QueueSpec,
  type TopologyOptions,
} from '../topology';
import { InProcessQueue, type QueueConsumer, type StoredMessage } from './in-process-queue';

/**
 * The embedded mode's broker: the same topology and semantics as the RabbitMQ adapter (prefetch, manual
 * settlement, pausable consumers, delivery counts and limit, retry delays, dead-lettering, CC routing), held in
 * memory. Durability in the embedded mode comes from the job row, which is committed before the 202 and
 * re-enqueued at start-up if the process died.
 */
export class InProcessBrokerClient implements BrokerClient {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<string, InProcessQueue>();
  /** `listen` and `listenRouted` listeners alike: a message reaches each once if any of its patterns match. */
  private readonly listeners = new Set<{ exchange: string; patterns: Set<string>; listener: (message: BroadcastMessage) => void }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private readonly retryTiersMs: readonly number[];
  private readonly specs: QueueSpec[];

  /** `retryTiersMs`: the delay tiers, topology.ts's RETRY_DELAY_TIERS_MS unless a test needs shorter ones. */
  constructor(options: { maxDeliveries: number; retryTiersMs?: readonly number[]; topology?: TopologyOptions }) {
    this.retryTiersMs = options.retryTiersMs ?? RETRY_DELAY_TIERS_MS;
    assertRetryTiers(this.retryTiersMs);
    this.specs = queueSpecs(options.topology ?? DEFAULT_TOPOLOGY);
    for (const spec of this.specs) {
      this.queues.set(spec.name, new InProcessQueue(spec.name, deliveryLimitOf(spec, options.maxDeliveries)));
    }
  }

  async connect(): Promise<void> {
    this.closed = false;
  }

  isReady(): boolean {
    return !this.closed;
  }

  async publish(message: OutboundMessage): Promise<void> {
    if (this.closed) throw new BrokerUnavailableError('in-process broker is closed', 'closed');
    // The routing key and every CC key route on the same exchange; a queue matched by several takes one copy.
    const keys = [message.routingKey, ...(message.cc ?? [])];
    const matches = (exchange: string, pattern: string) =>
      exchange === message.exchange && keys.some((key) => (exchange === Exchanges.events ? topicMatches(pattern, key) : pattern === key));
    const targets = this.specs.filter((q) => q.bindings.some(([exchange, pattern]) => matches(exchange, pattern)));
    if (targets.length === 0 && message.persistent && !message.optionalRoute) {
      throw new BrokerUnavailableError(`no queue bound for ${message.exchange}/${message.routingKey}`, 'unroutable');
    }
    for (const target of targets) {
      this.queue(target.name).enqueue({ ...message, headers: { ...message.headers }, deliveries: 0 });
    }
    for (const l of this.listeners) {
      if ([...l.patterns].some((pattern) => matches(l.exchange, pattern))) {
        queueMicrotask(() => l.listener({ type: message.type, body: message.body, headers: { ...message.headers } }));
      }
    }
  }

  async listen(exchange: string, pattern: string, listener: (message: BroadcastMessage) => void): Promise<Subscription> {
    const routed = await this.listenRouted(exchange, listener);
    await routed.bind(pattern);
    return routed;
  }

  async listenRouted(exchange: string, listener: (message: BroadcastMessage) => void): Promise<RoutedListener> {
    const entry = { exchange, patterns: new Set<string>(), listener };
    this.listeners.add(entry);
    return {
      bind: async (pattern) => void entry.patterns.add(pattern),
      unbind: async (pattern) => void entry.patterns.delete(pattern),
      cancel: async () => void this.listeners.delete(entry),
    };
  }

  async consume(queueName: string, prefetch: number, onDelivery: (delivery: Delivery) => void): Promise<PausableSubscription> {
    const queue = this.queue(queueName);
    const unsettled = new Set<StoredMessage>();
    const consumer: QueueConsumer = {
      prefetch,
      unsettled: 0,
      deliver: (message) => {
        unsettled.add(message);
        const release = () => {
          if (unsettled.delete(message)) {
            consumer.unsettled -= 1;
            queue.schedulePump();
          }
        };
        const delivery = this.deliver(queue, message, release);
        if (delivery) onDelivery(delivery);
        else release();
      },
    };
    queue.consumers.push(consumer);
    queue.schedulePump();
    const detach = () => {
      const at = queue.consumers.indexOf(consumer);
      if (at >= 0) queue.consumers.splice(at, 1);
    };
    return {
      // Like basic.cancel: no more deliveries, and what the consumer holds stays its own to settle.
      pause: async () => detach(),
      resume: async () => {
        if (!queue.consumers.includes(consumer)) queue.consumers.push(consumer);
        queue.schedulePump();
      },
      cancel: async () => {
        detach();
        // Like a closed channel: whatever this consumer held unsettled goes back to the queue.
        for (const message of unsettled) queue.requeue(message);
        unsettled.clear();
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.listeners.clear();
  }

  /** Messages waiting in a queue (tests and the embedded mode's diagnostics). */
  async queueDepths(): Promise<Record<PriorityBand, BandQueueDepth>> {
    const depths = Object.fromEntries(PRIORITY_BANDS.map((band) => [band, { queues: [] as string[], messages: 0, consumers: 0 }])) as Record<
      PriorityBand,
      BandQueueDepth
    >;
    for (const queue of this.queues.values()) {
      const band = bandOfQueue(queue.name);
      if (!band) continue;
      depths[band].queues.push(queue.name);
      depths[band].messages += queue.ready.length;
      depths[band].consumers = Math.max(depths[band].consumers, queue.consumers.length);
    }
    return depths;
  }

  depth(queueName: string): number {
    return this.queue(queueName).ready.length;
  }

  /** What sits in the dead-letter queue, for inspection. */
  deadLetters(): ReadonlyArray<{ type: string; messageId: string; headers: Record<string, unknown> }> {
    return this.queue(DEAD_LETTER_QUEUE).ready;
  }

  /** Builds the Delivery for a message, or dead-letters it when it has reached the delivery limit. */
  private deliver(queue: InProcessQueue, message: StoredMessage, release: () => void): Delivery | null {
    if (queue.deliveryLimit !== null && message.deliveries >= queue.deliveryLimit) {
      this.toDeadLetters(message, queue.name, 'delivery_limit');
      return null;
    }
    message.deliveries += 1;
    let settled = false;
    const settle = (fn: () => void) => async () => {
      if (settled) return;
      settled = true;
      fn();
      release();
    };
    return {
      type: message.type,
      body: message.body,
      messageId: message.messageId,
      queue: queue.name,
      routingKey: message.routingKey,
      headers: message.headers,
      deliveryCount: message.deliveries,
      retries: Number(message.headers['x-conveyor-retries'] ?? 0),
      ack: settle(() => undefined),
      retryLater: (delayMs, reason, counts = true) =>
        settle(() => {
          const retried: StoredMessage = {
            ...message,
            messageId: message.messageId,
            headers: {
              ...message.headers,
              'x-conveyor-retries': Number(message.headers['x-conveyor-retries'] ?? 0) + (counts ? 1 : 0),
              'x-conveyor-retry-reason': reason,
            },
            deliveries: 0,
          };
          // Rounded up to the same tier as on RabbitMQ, for parity; the timer then waits exactly that tier.
          const timer = setTimeout(
            () => {
              this.timers.delete(timer);
              queue.enqueue(retried);
            },
            retryTierFor(delayMs, this.retryTiersMs),
          );
          this.timers.add(timer);
        })(),
      deadLetter: (reason) => settle(() => this.toDeadLetters(message, queue.name, reason, message.deliveries))(),
    };
  }

  /** Like the dead-letter fanout: a copy to every queue bound to it (the inspection queue and the persistence sink). */
  private toDeadLetters(message: StoredMessage, source: string, reason: string, onDelivery?: number): void {
    const headers = {
      ...message.headers,
      'x-conveyor-dead-reason': reason,
      'x-conveyor-source-queue': source,
      // A handler's dead letter names the delivery it was made on, as on RabbitMQ; the broker's own (the limit) does not.
      ...(onDelivery === undefined ? {} : { 'x-conveyor-dead-on-delivery': onDelivery }),
    };
    for (const spec of this.specs.filter((q) => q.bindings.some(([exchange]) => exchange === Exchanges.deadLetter))) {
      const copy: StoredMessage = { ...message, messageId: message.messageId ?? randomUUID(), headers, deliveries: 0 };
      if (spec.name === DEAD_LETTER_QUEUE) this.queue(spec.name).ready.push(copy);
      else this.queue(spec.name).enqueue(copy);
    }
  }

  private queue(name: string): InProcessQueue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name} (declare it in topology.ts)`);
    return queue;
  }
}
