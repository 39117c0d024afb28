import type { Channel } from 'amqplib';
import {
  deliveryLimitOf,
  Exchanges,
  JOB_RETRY_TIER_HEADER,
  RETRY_DELAY_TIERS_MS,
  jobRetryTierQueue,
  queueSpecs,
  retryTierQueue,
  retryTierQueues,
  type QueueSpec,
  type TopologyOptions,
} from '../topology';

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

/** How each exchange of `topology.ts` is declared. */
const EXCHANGE_DECLARATIONS: Record<ExchangeKey, { type: 'direct' | 'topic' | 'fanout' | 'headers'; durable: boolean }> = {
  jobs: { type: 'direct', durable: true },
  events: { type: 'topic', durable: true },
  deadLetter: { type: 'fanout', durable: true },
  retry: { type: 'direct', durable: true },
  jobRetry: { type: 'headers', durable: true },
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
  const limit = deliveryLimitOf(spec, maxDeliveries);
  if (limit === null) return { 'x-queue-type': 'quorum' };
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': limit - 1,
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
 * The arguments of a shared job delay queue `conveyor.jobs.retry.<tier>`: like the per-queue ones, but expired
 * messages are dead-lettered into `conveyor.jobs` with their own routing key (no `x-dead-letter-routing-key`), which
 * is the key of the shard they came from.
 */
export function jobRetryQueueArguments(names: AmqpNames, tierMs: number): Record<string, unknown> {
  return { 'x-queue-type': 'quorum', 'x-message-ttl': tierMs, 'x-dead-letter-exchange': names.of(Exchanges.jobs), ...AT_LEAST_ONCE_DEAD_LETTERING };
}

/** What a RabbitMQ cluster answers for a durable classic queue whose one node is down. */
const HOME_NODE_DOWN = /home node .* is down or inaccessible/;

/**
 * Declares every exchange, queue and binding of `topology.ts`, idempotently (run on each connect). A queue
 * that already exists with other arguments fails with 406 PRECONDITION_FAILED, which fails the connect:
 * change queue arguments of a live broker through a policy, not here.
 *
 * Classic queues come last: in a cluster, one lives on a single node, and while that node is down declaring it
 * fails (and closes the channel). That must not keep a service off the nodes left, so it is skipped with a
 * warning: its transient messages are lost meanwhile, and its consumer re-attaches once the node is back.
 * Answers the classic queues it skipped.
 */
export async function declareTopology(
  channel: Channel,
  names: AmqpNames,
  maxDeliveries: number,
  retryTiersMs: readonly number[],
  topology: TopologyOptions,
): Promise<string[]> {
  for (const key of Object.keys(EXCHANGE_DECLARATIONS) as ExchangeKey[]) {
    const { type, durable } = EXCHANGE_DECLARATIONS[key];
    await channel.assertExchange(names.of(Exchanges[key]), type, { durable, autoDelete: false });
  }
  const specs = queueSpecs(topology);
  await declareQueues(
    channel,
    specs.filter((s) => s.queueType !== 'classic'),
    names,
    maxDeliveries,
    retryTiersMs,
  );
  for (const tierMs of retryTiersMs) {
    const delayQueue = jobRetryTierQueue(tierMs);
    await channel.assertQueue(names.of(delayQueue), { durable: true, arguments: jobRetryQueueArguments(names, tierMs) });
    await channel.bindQueue(names.of(delayQueue), names.of(Exchanges.jobRetry), '', { 'x-match': 'all', [JOB_RETRY_TIER_HEADER]: delayQueue });
  }
  for (const spec of specs.filter((s) => s.queueType === 'classic')) {
    try {
      await declareQueues(channel, [spec], names, maxDeliveries, retryTiersMs);
    } catch (err) {
      if (!HOME_NODE_DOWN.test((err as Error).message)) throw err;
      // The channel is closed now: whatever classic queue follows is skipped too, and declared on the next connect.
      return specs.filter((s) => s.queueType === 'classic' && specs.indexOf(s) >= specs.indexOf(spec)).map((s) => s.name);
    }
  }
  return [];
}

async function declareQueues(
  channel: Channel,
  specs: readonly QueueSpec[],
  names: AmqpNames,
  maxDeliveries: number,
  retryTiersMs: readonly number[],
): Promise<void> {
  for (const spec of specs) {
    const queue = names.of(spec.name);
    await channel.assertQueue(queue, { durable: true, arguments: workQueueArguments(spec, names, maxDeliveries) });
    for (const [exchange, pattern] of spec.bindings) await channel.bindQueue(queue, names.of(exchange), pattern);
    // Unbinding a binding that does not exist is a no-op for RabbitMQ.
    for (const [exchange, pattern] of spec.formerBindings ?? []) await channel.unbindQueue(queue, names.of(exchange), pattern);
    if (spec.retry !== 'own') continue;
    for (const tierMs of retryTiersMs) {
      const delayQueue = retryTierQueue(spec.name, tierMs);
      await channel.assertQueue(names.of(delayQueue), { durable: true, arguments: retryQueueArguments(spec.name, names, tierMs) });
      // Keyed by the canonical delay queue name, which is what retryLater() publishes with.
      await channel.bindQueue(names.of(delayQueue), names.of(Exchanges.retry), delayQueue);
    }
  }
}

/** Every queue name `declareTopology` declares, canonical: the work queues and their delay queues. */
export function declaredQueues(topology: TopologyOptions, retryTiersMs?: readonly number[]): string[] {
  const own = queueSpecs(topology).flatMap((spec) => (spec.retry === 'own' ? [spec.name, ...retryTierQueues(spec.name, retryTiersMs)] : [spec.name]));
  return [...own, ...(retryTiersMs ?? RETRY_DELAY_TIERS_MS).map(jobRetryTierQueue)];
}
