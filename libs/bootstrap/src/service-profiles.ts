import type { ConveyorConfig } from '@conveyor/config';
import type { DatabaseModuleOptions } from '@conveyor/database';
import type { ConsumerGroupName } from '@conveyor/messaging';

export type ServiceName = 'gateway' | 'streaming' | 'inference' | 'persistence' | 'notification';

/** One consumer group a service runs: the transport's concurrency and the settings it works with. */
export interface ConsumerPlan {
  group: ConsumerGroupName;
  concurrency: number;
  config: ConveyorConfig;
}

/** What a service needs: an HTTP listener or not, which queues it consumes, and its database pool. */
export interface ServiceProfile {
  http?(config: ConveyorConfig): { host: string; port: number };
  /** The line a service prints once it is ready (process supervisors and the tests wait for it). */
  ready(config: ConveyorConfig, url: string | null): string;
  consumers(config: ConveyorConfig): ConsumerPlan[];
  database(config: ConveyorConfig, url: string): DatabaseModuleOptions;
}

/**
 * Broker retries the notification service may spend on one message beyond its retry schedule: waits for a lease
 * left by a killed consumer, or a message that arrived before its delivery was due.
 */
const WEBHOOK_RETRY_SLACK = 10;
/** Webhook attempts run at once per notification replica. */
const WEBHOOK_CONCURRENCY = 8;
/**
 * Messages persistence holds unacked per queue: its writes are group-committed, so what arrives together is one
 * statement; a deep window lets a burst become one batch instead of waiting for acks one round trip at a time.
 */
const PERSISTENCE_PREFETCH = 256;
/** Inference only reads job statuses: a small pool is plenty, however many slots it runs. */
const INFERENCE_POOL_MAX = 4;

const database = (config: ConveyorConfig, url: string): DatabaseModuleOptions => ({
  url,
  poolSize: config.database.poolSize,
  migrate: config.database.migrate,
});

/**
 * Every service's adjustments to the shared configuration, in one place. The webhook sender decides when a
 * delivery is exhausted (from the database, per the retry schedule), so the transport's own retry budget only
 * needs to stay out of its way.
 */
export const SERVICE_PROFILES: Record<ServiceName, ServiceProfile> = {
  gateway: {
    http: (c) => ({ host: c.http.host, port: c.http.port }),
    ready: (_c, url) => `conveyor gateway listening on ${url}`,
    consumers: () => [],
    database,
  },
  streaming: {
    http: (c) => ({ host: c.http.host, port: c.streaming.port }),
    ready: (_c, url) => `conveyor streaming listening on ${url}`,
    consumers: () => [],
    database,
  },
  inference: {
    ready: (c) => `conveyor inference worker ${c.worker.id} running ${c.worker.concurrency} job(s) at a time`,
    consumers: (c) => [{ group: 'inference', concurrency: c.worker.concurrency, config: c }],
    database: (c, url) => ({ url, poolSize: Math.min(c.database.poolSize, INFERENCE_POOL_MAX), migrate: false }),
  },
  persistence: {
    ready: () => 'conveyor persistence consuming job events',
    consumers: (c) => [{ group: 'persistence', concurrency: PERSISTENCE_PREFETCH, config: c }],
    database,
  },
  notification: {
    ready: () => 'conveyor notification consuming terminal job events and delivering webhooks',
    consumers: (c) => {
      const retryMaxAttempts = Math.max(c.broker.retryMaxAttempts, c.webhooks.retryScheduleMs.length + WEBHOOK_RETRY_SLACK);
      return [{ group: 'notification', concurrency: WEBHOOK_CONCURRENCY, config: { ...c, broker: { ...c.broker, retryMaxAttempts } } }];
    },
    database,
  },
};
