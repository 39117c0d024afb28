import type { ConveyorConfig } from '@conveyor/config';
import { AmqpBrokerClient } from './amqp/amqp-broker.client';
import type { BrokerClient } from './broker-client.port';
import { InProcessBrokerClient } from './in-process/in-process-broker.client';
import { AmqpTransport } from './transport/amqp.transport';
import type { BrokerTransport } from './transport/broker.transport';
import { InProcessTransport } from './transport/in-process.transport';
import type { ConsumerGroupName } from './topology';

/** RabbitMQ when BROKER_URL is set, otherwise the in-process broker of the embedded mode. */
export function createBrokerClient(config: ConveyorConfig, service: string): BrokerClient {
  const { broker } = config;
  if (!broker.url) return new InProcessBrokerClient({ maxDeliveries: broker.maxDeliveries });
  return new AmqpBrokerClient({
    url: broker.url,
    heartbeatS: broker.heartbeatS,
    publishTimeoutMs: broker.publishTimeoutMs,
    reconnectMs: broker.reconnectMs,
    maxDeliveries: broker.maxDeliveries,
    connectionName: `conveyor-${service}-${config.worker.id}`,
  });
}

/** The Nest transport strategy that consumes `group` through `broker`. */
export function createTransport(broker: BrokerClient, config: ConveyorConfig, group: ConsumerGroupName, concurrency: number): BrokerTransport {
  const options = {
    group,
    concurrency,
    idlePollMs: config.worker.idlePollMs,
    retryDelayMs: config.broker.retryDelayMs,
    retryMaxAttempts: config.broker.retryMaxAttempts,
  };
  return broker.kind === 'amqp' ? new AmqpTransport(broker, options) : new InProcessTransport(broker, options);
}
