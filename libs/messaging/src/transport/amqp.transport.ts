import type { BrokerClient } from '../broker-client.port';
import { BrokerTransport, type BrokerTransportOptions } from './broker.transport';

/** Nest transport strategy over RabbitMQ (the amqplib BrokerClient). */
export class AmqpTransport extends BrokerTransport {
  constructor(broker: BrokerClient, options: BrokerTransportOptions) {
    if (broker.kind !== 'amqp') throw new Error('AmqpTransport needs the amqp broker client');
    super(broker, options);
  }
}
