import { randomUUID } from 'node:crypto';
import type { BroadcastMessage, BrokerClient, Delivery, OutboundMessage, RoutedListener, Subscription } from '../broker-client.port';
import { BrokerUnavailableError } from '../broker-unavailable.exception';
import { assertRetryTiers, DEAD_LETTER_QUEUE, Exchanges, QUEUES, RETRY_DELAY_TIERS_MS, retryTierFor, topicMatches } from '../topology';
import { InProcessQueue, type QueueConsumer, type StoredMessage } from './in-process-queue';

/**
 * The embedded mode's broker: the same topology and semantics as the RabbitMQ adapter (strict band priority
 * through take(), prefetch, manual settlement, delivery counts and limit, retry delays, dead-lettering,
 * wake-ups), held in memory. Durability in the embedded mode comes from the job row, which is committed
 * before the 202 and re-enqueued at start-up if the process died.
 */
export class InProcessBrokerClient implements BrokerClient {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<string, InProcessQueue>();
  private readonly wakeListeners = new Set<() => void>();
  /** `listen` and `listenRouted` listeners alike: a message reaches each once if any of its patterns match. */
  private readonly listeners = new Set<{ exchange: string; patterns: Set<string>; listener: (message: BroadcastMessage) => void }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private readonly retryTiersMs: readonly number[];

  /** `retryTiersMs`: the delay tiers, topology.ts's RETRY_DELAY_TIERS_MS unless a test needs shorter ones. */
  constructor(options: { maxDeliveries: number; retryTiersMs?: readonly number[] }) {
    this.retryTiersMs = options.retryTiersMs ?? RETRY_DELAY_TIERS_MS;
    assertRetryTiers(this.retryTiersMs);
    for (const spec of QUEUES) {
      this.queues.set(spec.name, new InProcessQueue(spec.name, spec.deliveryLimit ? options.maxDeliveries : null));
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
    const targets = QUEUES.filter((q) =>
      q.bindings.some(([exchange, pattern]) =>
        exchange === message.exchange && (exchange === Exchanges.events ? topicMatches(pattern, message.routingKey) : pattern === message.routingKey),
      ),
    );
    if (targets.length === 0 && message.exchange !== Exchanges.events && message.persistent) {
      throw new BrokerUnavailableError(`no queue bound for ${message.exchange}/${message.routingKey}`, 'unroutable');
    }
    for (const target of targets) {
      this.queue(target.name).enqueue({ ...message, headers: { ...message.headers }, deliveries: 0 });
    }
    if (message.exchange === Exchanges.jobs) queueMicrotask(() => this.wakeAll());
    for (const l of this.listeners) {
      if (l.exchange === message.exchange && [...l.patterns].some((pattern) => topicMatches(pattern, message.routingKey))) {
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

  async consume(queueName: string, prefetch: number, onDelivery: (delivery: Delivery) => void): Promise<Subscription> {
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
    return {
      cancel: async () => {
        queue.consumers.splice(queue.consumers.indexOf(consumer), 1);
        // Like a closed channel: whatever this consumer held unsettled goes back to the queue.
        for (const message of unsettled) queue.requeue(message);
        unsettled.clear();
      },
    };
  }

  async take(queueNames: readonly string[]): Promise<Delivery | null> {
    if (this.closed) throw new BrokerUnavailableError('in-process broker is closed', 'closed');
    for (const name of queueNames) {
      const queue = this.queue(name);
      while (queue.ready.length > 0) {
        const delivery = this.deliver(queue, queue.ready.shift()!, () => undefined);
        if (delivery) return delivery;
      }
    }
    return null;
  }

  async onWake(listener: () => void): Promise<Subscription> {
    this.wakeListeners.add(listener);
    return { cancel: async () => void this.wakeListeners.delete(listener) };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.wakeListeners.clear();
    this.listeners.clear();
  }

  /** Messages waiting in a queue (tests and the embedded mode's diagnostics). */
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
            headers: { ...message.headers, 'x-conveyor-retries': Number(message.headers['x-conveyor-retries'] ?? 0) + (counts ? 1 : 0), 'x-conveyor-retry-reason': reason },
            deliveries: 0,
          };
          // Rounded up to the same tier as on RabbitMQ, for parity; the timer then waits exactly that tier.
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            queue.enqueue(retried);
            this.wakeAll();
          }, retryTierFor(delayMs, this.retryTiersMs));
          this.timers.add(timer);
        })(),
      deadLetter: (reason) => settle(() => this.toDeadLetters(message, queue.name, reason))(),
    };
  }

  /** Like the dead-letter fanout: a copy to every queue bound to it (the inspection queue and the persistence sink). */
  private toDeadLetters(message: StoredMessage, source: string, reason: string): void {
    const headers = { ...message.headers, 'x-conveyor-dead-reason': reason, 'x-conveyor-source-queue': source };
    for (const spec of QUEUES.filter((q) => q.bindings.some(([exchange]) => exchange === Exchanges.deadLetter))) {
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

  private wakeAll(): void {
    for (const listener of this.wakeListeners) listener();
  }
}
