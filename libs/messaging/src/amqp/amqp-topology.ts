import type { Channel } from 'amqplib';
import { Exchanges, QUEUES, retryQueue, type QueueSpec } from '../topology';

/**
 * Maps the canonical exchange and queue names of `topology.ts` onto the names this client declares and
 * uses on the broker. Production uses no namespace; tests use one per file, so several suites can share a
 * broker (and run in parallel) without seeing each other's messages. Routing keys are never prefixed: they
 * are part of the message, not of the topology.
 */
export class AmqpNames {
  constructor(private readonly namespace?: string) {
    if (namespace !== undefined && !/^[A-Za-z0-9_-]+$/.test(namespace)) {
      throw new Error(`namespace must be letters, digits, "_" or "-" (got "${namespace}")`);
    }
  }

  /** The broker name of a canonical exchange or queue. The default exchange ('') stays the default exchange. */
  of(canonical: string): string {
    if (canonical === '' || !this.namespace) return canonical;
    return `${this.namespace}.${canonical}`;
  }
}

type ExchangeKey = keyof typeof Exchanges;

/**
 * How each exchange of `topology.ts` is declared. The wake fanout is not durable: it carries only
 * transient doorbells to exclusive queues, and every client redeclares it on (re)connect.
 */
const EXCHANGE_DECLARATIONS: Record<ExchangeKey, { type: 'direct' | 'topic' | 'fanout'; durable: boolean }> = {
  jobs: { type: 'direct', durable: true },
  events: { type: 'topic', durable: true },
  deadLetter: { type: 'fanout', durable: true },
  retry: { type: 'direct', durable: true },
  wake: { type: 'fanout', durable: false },
};

/**
 * At-least-once dead-lettering (RabbitMQ ≥ 3.10) keeps a message in its source queue until the target
 * queue confirms it, so nothing is lost between the two; it requires `reject-publish` overflow.
 */
const AT_LEAST_ONCE_DEAD_LETTERING = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' } as const;

/**
 * The arguments of a work queue. Every queue is a quorum queue: replicated, and (on 3.10 as on 4.x) the
 * one type with a broker-side delivery count. The broker dead-letters a message once it has been
 * *returned* more than `x-delivery-limit` times (measured on 3.10.8: limit 2 allows 3 deliveries), so
 * `maxDeliveries` deliveries in all means a limit of `maxDeliveries - 1`, as the in-process broker counts.
 */
export function workQueueArguments(spec: QueueSpec, names: AmqpNames, maxDeliveries: number): Record<string, unknown> {
  if (!spec.deliveryLimit) return { 'x-queue-type': 'quorum' };
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': maxDeliveries - 1,
    'x-dead-letter-exchange': names.of(Exchanges.deadLetter),
    ...AT_LEAST_ONCE_DEAD_LETTERING,
  };
}

/**
 * The arguments of `<queue>.retry`: nobody consumes it; each message waits out its own `expiration`, then
 * the broker dead-letters it back into `<queue>` through the default exchange (dropping the expiration on
 * the way). Per-message TTL works on quorum queues since 3.10 (checked on 3.10.8: messages come back
 * within ~50 ms of their delay, expiration removed). As with any per-message TTL, only the head of the
 * queue expires: a message with a short delay waits behind one with a longer delay.
 */
export function retryQueueArguments(queue: string, names: AmqpNames): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': names.of(queue),
    ...AT_LEAST_ONCE_DEAD_LETTERING,
  };
}

/**
 * Declares every exchange, queue and binding of `topology.ts`, idempotently (run on each connect). A queue
 * that already exists with other arguments fails with 406 PRECONDITION_FAILED, which fails the connect:
 * change queue arguments of a live broker through a policy, not here.
 */
export async function declareTopology(channel: Channel, names: AmqpNames, maxDeliveries: number): Promise<void> {
  for (const key of Object.keys(EXCHANGE_DECLARATIONS) as ExchangeKey[]) {
    const { type, durable } = EXCHANGE_DECLARATIONS[key];
    await channel.assertExchange(names.of(Exchanges[key]), type, { durable, autoDelete: false });
  }
  for (const spec of QUEUES) {
    const queue = names.of(spec.name);
    await channel.assertQueue(queue, { durable: true, arguments: workQueueArguments(spec, names, maxDeliveries) });
    for (const [exchange, pattern] of spec.bindings) await channel.bindQueue(queue, names.of(exchange), pattern);
    if (spec.retry) {
      const delayQueue = names.of(retryQueue(spec.name));
      await channel.assertQueue(delayQueue, { durable: true, arguments: retryQueueArguments(spec.name, names) });
      // Keyed by the canonical queue name, which is what retryLater() publishes with.
      await channel.bindQueue(delayQueue, names.of(Exchanges.retry), spec.name);
    }
  }
}

/** Every queue name `declareTopology` declares, canonical: the work queues and their retry queues. */
export function declaredQueues(): string[] {
  return QUEUES.flatMap((spec) => (spec.retry ? [spec.name, retryQueue(spec.name)] : [spec.name]));
}
