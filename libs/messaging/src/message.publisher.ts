import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DURABLE_TYPES, parseMessage, routingKeyOf, TERMINAL_EVENT_TYPES, type MessagePayload, type MessageType } from '@conveyor/contracts';
import { injectTraceHeaders, withSpan } from '@conveyor/telemetry';
import { BROKER_CLIENT, type BrokerClient } from './broker-client.port';
import { exchangeOf } from './topology';

/** A job's end reaches only the queues that want it (a waiting replica, a stream, webhooks), and may reach none. */
const OPTIONAL_ROUTE_TYPES: ReadonlySet<MessageType> = new Set<MessageType>(TERMINAL_EVENT_TYPES);

/**
 * The one way services put messages on the bus: validates the payload against the contracts' schema map,
 * routes it by type, stamps the trace context, and (for durable types) resolves only once the broker has
 * confirmed it. Rejects with BrokerUnavailableError when the broker cannot take it.
 */
@Injectable()
export class MessagePublisher {
  constructor(@Inject(BROKER_CLIENT) private readonly broker: BrokerClient) {}

  /** `options.cc`: more routing keys for the same publish (a waiting gateway replica's reply key). */
  async publish<T extends MessageType>(
    type: T,
    payload: MessagePayload<T>,
    options: { cc?: readonly string[]; headers?: Record<string, string> } = {},
  ): Promise<void> {
    const parsed = parseMessage(type, payload);
    if (!parsed.ok) throw new Error(`refusing to publish an invalid ${type}: ${parsed.error}`);
    const exchange = exchangeOf(type);
    const routingKey = routingKeyOf(type, parsed.payload);
    const persistent = DURABLE_TYPES.has(type);
    const message = (headers: Record<string, string>) => ({
      type,
      exchange,
      routingKey,
      body: Buffer.from(JSON.stringify(parsed.payload)),
      messageId: randomUUID(),
      headers: { ...options.headers, ...headers },
      persistent,
      ...(options.cc?.length ? { cc: options.cc } : {}),
      ...(OPTIONAL_ROUTE_TYPES.has(type) && { optionalRoute: true }),
    });
    // A transient message (a stream's chunk, one per token at slow rates) gets no span of its own: a producer
    // span per token cost more than the publish, and the job's trace already has its start and end.
    if (!persistent) return this.broker.publish(message(injectTraceHeaders({})));
    await withSpan(`${exchange} publish`, 'producer', { 'messaging.system': this.broker.kind, 'messaging.destination.name': exchange }, () =>
      this.broker.publish(message(injectTraceHeaders({}))),
    );
  }

  isReady(): boolean {
    return this.broker.isReady();
  }
}
