import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DURABLE_TYPES, parseMessage, routingKeyOf, type MessagePayload, type MessageType } from '@conveyor/contracts';
import { injectTraceHeaders, withSpan } from '@conveyor/telemetry';
import { BROKER_CLIENT, type BrokerClient } from './broker-client.port';
import { exchangeOf } from './topology';

/**
 * The one way services put messages on the bus: validates the payload against the contracts' schema map,
 * routes it by type, stamps the trace context, and (for durable types) resolves only once the broker has
 * confirmed it. Rejects with BrokerUnavailableError when the broker cannot take it.
 */
@Injectable()
export class MessagePublisher {
  constructor(@Inject(BROKER_CLIENT) private readonly broker: BrokerClient) {}

  async publish<T extends MessageType>(type: T, payload: MessagePayload<T>): Promise<void> {
    const parsed = parseMessage(type, payload);
    if (!parsed.ok) throw new Error(`refusing to publish an invalid ${type}: ${parsed.error}`);
    const exchange = exchangeOf(type);
    const routingKey = routingKeyOf(type, parsed.payload);
    await withSpan(`${exchange} publish`, 'producer', { 'messaging.system': this.broker.kind, 'messaging.destination.name': exchange }, () =>
      this.broker.publish({
        type,
        exchange,
        routingKey,
        body: Buffer.from(JSON.stringify(parsed.payload)),
        messageId: randomUUID(),
        headers: injectTraceHeaders({}),
        persistent: DURABLE_TYPES.has(type),
      }),
    );
  }

  isReady(): boolean {
    return this.broker.isReady();
  }
}
