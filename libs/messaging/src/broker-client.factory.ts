import type { ConveyorConfig } from '@conveyor/config';
import { AmqpBrokerClient } from './amqp/amqp-broker.client';
import type { BrokerClient } from './broker-client.port';
import { InProcessBrokerClient } from './in-process/in-process-broker.client';
import type { TopologyOptions } from './topology';
import { AmqpTransport } from './transport/amqp.transport';
import type { BrokerTransport } from './transport/broker.transport';
import { InProcessTransport } from './transport/in-process.transport';
import type { ConsumerGroupName } from './topology';

/** The job queues the configuration asks for: every service declares, routes to and consumes the same shards. */
export function topologyOf(config: ConveyorConfig): TopologyOptions {
  return { jobShards: config.jobQueues.shards, shardSalt: config.jobQueues.shardSalt };
}

/** RabbitMQ when BROKER_URL is set, otherwise the in-process broker of the embedded mode. */
export function createBrokerClient(config: ConveyorConfig, service: string): BrokerClient {
  const { broker } = config;
  const topology = topologyOf(config);
  if (!broker.url) return new InProcessBrokerClient({ maxDeliveries: broker.maxDeliveries, topology });
  return new AmqpBrokerClient({
    url: broker.url,
    heartbeatS: broker.heartbeatS,
    publishTimeoutMs: broker.publishTimeoutMs,
    reconnectMs: broker.reconnectMs,
    maxDeliveries: broker.maxDeliveries,
    connectionName: `conveyor-${service}-${config.worker.id}`,
    topology,
  });
}

/** The Nest transport strategy that consumes `group` through `broker`. */
export function createTransport(broker: BrokerClient, config: ConveyorConfig, group: ConsumerGroupName, concurrency: number): BrokerTransport {
  const options = {
    group,
    concurrency,
    prefetch: config.worker.prefetch,
    holdMs: config.worker.holdMs,
    topology: topologyOf(config),
    retryDelayMs: config.broker.retryDelayMs,
    retryMaxAttempts: config.broker.retryMaxAttempts,
  };
  return broker.kind === 'amqp' ? new AmqpTransport(broker, options) : new InProcessTransport(broker, options);
}
