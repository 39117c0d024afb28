import type { Channel } from 'amqplib';
import { Exchanges, QUEUES, retryTierQueue, retryTierQueues, type QueueSpec } from '../topology';

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
 * A classic queue (transient chunks) keeps at most this many messages, dropping the oldest beyond it: a
 * stalled consumer loses old chunks, which the final result makes good, instead of filling the broker's memory.
 */
export const CLASSIC_QUEUE_MAX_LENGTH = 1_000_000;

/**
 * The arguments of a work queue. A `classic` spec gets a bounded classic queue (above); every other queue is a
 * quorum queue: replicated, and (on 3.10 as on 4.x) the one type with a broker-side delivery count. The broker dead-letters a message once it has been
 * *returned* more than `x-delivery-limit` times (measured on 3.10.8: limit 2 allows 3 deliveries), so
 * `maxDeliveries` deliveries in all means a limit of `maxDeliveries - 1`, as the in-process broker counts.
 */
export function workQueueArguments(spec: QueueSpec, names: AmqpNames, maxDeliveries: number): Record<string, unknown> {
  if (spec.queueType === 'classic') return { 'x-queue-type': 'classic', 'x-max-length': CLASSIC_QUEUE_MAX_LENGTH };
  if (!spec.deliveryLimit) return { 'x-queue-type': 'quorum' };
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': maxDeliveries - 1,
    'x-dead-letter-exchange': names.of(Exchanges.deadLetter),
    ...AT_LEAST_ONCE_DEAD_LETTERING,
  };
}

/**
 * The arguments of the delay queue `<queue>.retry.<tier>`: nobody consumes it; every message waits the
 * queue's own TTL, so they expire in arrival order and the head is always the first due, and the broker
 * then dead-letters each back into `<queue>` through the default exchange. Queue TTL and at-least-once
 * dead-lettering both work on quorum queues since 3.10. The queues of an older release (`<queue>.retry`,
 * per-message TTL) have other names: they are left alone and simply no longer receive anything.
 */
export function retryQueueArguments(queue: string, names: AmqpNames, tierMs: number): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-message-ttl': tierMs,
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
export async function declareTopology(channel: Channel, names: AmqpNames, maxDeliveries: number, retryTiersMs: readonly number[]): Promise<void> {
  for (const key of Object.keys(EXCHANGE_DECLARATIONS) as ExchangeKey[]) {
    const { type, durable } = EXCHANGE_DECLARATIONS[key];
    await channel.assertExchange(names.of(Exchanges[key]), type, { durable, autoDelete: false });
  }
  for (const spec of QUEUES) {
    const queue = names.of(spec.name);
    await channel.assertQueue(queue, { durable: true, arguments: workQueueArguments(spec, names, maxDeliveries) });
    for (const [exchange, pattern] of spec.bindings) await channel.bindQueue(queue, names.of(exchange), pattern);
    if (!spec.retry) continue;
    for (const tierMs of retryTiersMs) {
      const delayQueue = retryTierQueue(spec.name, tierMs);
      await channel.assertQueue(names.of(delayQueue), { durable: true, arguments: retryQueueArguments(spec.name, names, tierMs) });
      // Keyed by the canonical delay queue name, which is what retryLater() publishes with.
      await channel.bindQueue(names.of(delayQueue), names.of(Exchanges.retry), delayQueue);
    }
  }
}

/** Every queue name `declareTopology` declares, canonical: the work queues and their delay queues. */
export function declaredQueues(retryTiersMs?: readonly number[]): string[] {
  return QUEUES.flatMap((spec) => (spec.retry ? [spec.name, ...retryTierQueues(spec.name, retryTiersMs)] : [spec.name]));
}
