import type { Message, Options } from 'amqplib';
import type { Delivery } from '../broker-client.port';
import { bandOfQueue, Exchanges, JOB_RETRY_TIER_HEADER, jobRetryTierQueue, retryTierFor, retryTierQueue } from '../topology';
import type { AmqpConfirmPublisher } from './amqp-confirm.publisher';
import type { AmqpSettlementChannel } from './amqp-settlement.channel';
import type { AmqpNames } from './amqp-topology';

/** Conveyor's own headers on republished copies. */
export const ConveyorHeaders = {
  retries: 'x-conveyor-retries',
  retryReason: 'x-conveyor-retry-reason',
  /** The routing key a message had before its first trip through a retry queue (which replaces it). */
  routingKey: 'x-conveyor-routing-key',
  deadReason: 'x-conveyor-dead-reason',
  sourceQueue: 'x-conveyor-source-queue',
  /**
   * The delivery (from 1) on which a handler dead-lettered the message. Dead-lettering is at least once: a
   * consumer killed between the copy and the ack leaves the original to be redelivered and dead-lettered again,
   * a second copy with the same message id and source queue and a higher count here.
   */
  deadOnDelivery: 'x-conveyor-dead-on-delivery',
} as const;

/** Reasons are often error messages; amqplib refuses a header table over 64 KiB, so keep them short. */
const MAX_REASON_LENGTH = 1_000;

/** A Delivery that can also be handed straight back to its queue (when the consumer callback itself failed). */
export interface AmqpDelivery extends Delivery {
  requeue(): void;
}

/** Turns amqplib messages into the port's Deliveries, whose retry and dead-letter copies are confirmed before the ack. */
export class AmqpDeliveryFactory {
  constructor(
    private readonly names: AmqpNames,
    private readonly publisher: AmqpConfirmPublisher,
    private readonly retryTiersMs: readonly number[],
  ) {}

  /** `queue` is the canonical name the message was taken from. */
  create(message: Message, queue: string, source: AmqpSettlementChannel): AmqpDelivery {
    const headers: Record<string, unknown> = { ...(message.properties.headers ?? {}) };
    const originalKey = headers[ConveyorHeaders.routingKey];
    const routingKey = typeof originalKey === 'string' ? originalKey : message.fields.routingKey;
    const retries = toCount(headers[ConveyorHeaders.retries]);
    let settled = false;
    /** The first settlement wins; later calls do nothing, as in the in-process broker. */
    const once =
      <A extends unknown[]>(settle: (...args: A) => Promise<void>) =>
      async (...args: A): Promise<void> => {
        if (settled) return;
        settled = true;
        await settle(...args);
      };

    const deliveryCount = toCount(headers['x-delivery-count']) + 1;
    return {
      type: optionalString(message.properties.type),
      body: message.content,
      messageId: optionalString(message.properties.messageId),
      queue,
      routingKey,
      headers,
      deliveryCount,
      retries,
      ack: once(async () => source.ack(message)),
      // The delay is rounded up to a tier: the copy waits in that tier's delay queue, then returns to `queue`.
      retryLater: once((delayMs: number, reason: string, counts = true) => {
        const tierMs = retryTierFor(delayMs, this.retryTiersMs);
        const retryHeaders = {
          ...carried(headers),
          [ConveyorHeaders.retries]: counts ? retries + 1 : retries,
          [ConveyorHeaders.retryReason]: reason.slice(0, MAX_REASON_LENGTH),
          [ConveyorHeaders.routingKey]: routingKey,
        };
        // A job shard's copy waits in the tier all shards share, keyed by its own routing key, which takes it home.
        if (bandOfQueue(queue)) {
          const tier = jobRetryTierQueue(tierMs);
          return this.republishThenAck(message, source, this.names.of(Exchanges.jobRetry), routingKey, {
            headers: { ...retryHeaders, [JOB_RETRY_TIER_HEADER]: tier },
          });
        }
        return this.republishThenAck(message, source, this.names.of(Exchanges.retry), retryTierQueue(queue, tierMs), { headers: retryHeaders });
      }),
      deadLetter: once((reason: string) =>
        this.republishThenAck(message, source, this.names.of(Exchanges.deadLetter), routingKey, {
          headers: {
            ...carried(headers),
            [ConveyorHeaders.deadReason]: reason.slice(0, MAX_REASON_LENGTH),
            [ConveyorHeaders.sourceQueue]: queue,
            [ConveyorHeaders.deadOnDelivery]: deliveryCount,
          },
        }),
      ),
      requeue: () => {
        if (settled) return;
        settled = true;
        source.requeue(message);
      },
    };
  }

  /**
   * Publishes a persistent copy, awaits its confirm, then acks the original: a crash in between leaves a
   * duplicate, never a loss. If the original's channel has already closed the broker redelivers it, so no
   * copy is made. If the copy fails the original is handed back at once rather than held on a live channel;
   * the queue's delivery limit bounds how often that can repeat.
   */
  private async republishThenAck(
    message: Message,
    source: AmqpSettlementChannel,
    exchange: string,
    routingKey: string,
    copy: { headers: Record<string, unknown> },
  ): Promise<void> {
    if (!source.isOpen) return;
    const p = message.properties;
    const options: Options.Publish = {
      type: p.type,
      messageId: p.messageId,
      contentType: p.contentType,
      contentEncoding: p.contentEncoding,
      correlationId: p.correlationId,
      appId: p.appId,
      timestamp: p.timestamp,
      persistent: true,
      ...copy,
    };
    try {
      await this.publisher.confirmed(exchange, routingKey, message.content, options);
    } catch (err) {
      source.requeue(message);
      throw err;
    }
    source.ack(message);
  }
}

/** The headers a copy keeps: all but the broker's own bookkeeping, which would be wrong on a new message. */
function carried(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => name !== 'x-delivery-count' && name !== 'x-death' && !name.startsWith('x-first-death-') && !name.startsWith('x-last-death-'),
    ),
  );
}

function toCount(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
