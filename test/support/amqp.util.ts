import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { webhookRoutingKey, type PriorityBand } from '@conveyor/contracts';
import {
  AmqpBrokerClient,
  type AmqpBrokerClientOptions,
  type AmqpLogger,
  AmqpNames,
  declaredQueues,
  type Delivery,
  type OutboundMessage,
  DEFAULT_TOPOLOGY,
  Exchanges,
} from '@conveyor/messaging';
import { TEST_VHOST_NAME, vhostUrl } from './vhost.util';

/**
 * The broker the integration tests use: this run's own vhost (TEST_BROKER_URL, made by globalSetup) on BROKER_URL,
 * else on the local RabbitMQ.
 */
export const TEST_BROKER_URL = process.env.TEST_BROKER_URL ?? vhostUrl(TEST_VHOST_NAME);

/** A namespace of its own for one test file, so suites in this run's vhost never see each other's queues. */
export function testNamespace(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** A logger that keeps its lines, to keep test output quiet and to check what would have been logged. */
export interface CapturingLogger extends AmqpLogger {
  readonly lines: string[];
}

export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  return { lines, log: (m) => void lines.push(m), warn: (m) => void lines.push(m), error: (m) => void lines.push(m) };
}

/** A client in `namespace`, with short timings so failures show up quickly. */
export function testClient(namespace: string, overrides: Partial<AmqpBrokerClientOptions> = {}): AmqpBrokerClient {
  return new AmqpBrokerClient({
    url: TEST_BROKER_URL,
    heartbeatS: 5,
    publishTimeoutMs: 5_000,
    reconnectMs: 200,
    maxDeliveries: 5,
    connectionName: `conveyor-test-${namespace}`,
    logger: capturingLogger(),
    namespace,
    ...overrides,
  });
}

/** Deletes every queue and exchange a client in `namespace` declared (with `retryTiersMs`, if it had its own). */
export async function deleteNamespace(namespace: string, retryTiersMs?: readonly number[]): Promise<void> {
  const names = new AmqpNames(namespace);
  const connection = await connect(TEST_BROKER_URL);
  try {
    const channel = await connection.createChannel();
    for (const queue of declaredQueues(DEFAULT_TOPOLOGY, retryTiersMs)) await channel.deleteQueue(names.of(queue));
    for (const exchange of Object.values(Exchanges)) await channel.deleteExchange(names.of(exchange));
  } finally {
    await connection.close();
  }
}

/** A persistent `job.requested` for shard `shard` of `band`; the body names the message, for order checks. */
export function jobMessage(band: PriorityBand, label: string = randomUUID(), shard = 0): OutboundMessage {
  return {
    type: 'job.requested',
    exchange: Exchanges.jobs,
    routingKey: `job.requested.${band}.${shard}`,
    body: Buffer.from(JSON.stringify({ label })),
    messageId: randomUUID(),
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    persistent: true,
  };
}

/** A persistent job message: `job.outcome` is bound to the persistence queue, `job.completed` to the notification queue. */
/**
 * A worker's outcome, or a job's end as published for a job with a webhook (CC'd to the notification queue's key,
 * an optional route like every end's).
 */
export function eventMessage(type: 'job.outcome' | 'job.completed', jobId: string = randomUUID()): OutboundMessage {
  return {
    type,
    exchange: Exchanges.events,
    routingKey: `${type}.${jobId}`,
    body: Buffer.from(JSON.stringify({ job_id: jobId })),
    messageId: randomUUID(),
    headers: {},
    persistent: true,
    ...(type === 'job.completed' && { cc: [webhookRoutingKey(type)], optionalRoute: true }),
  };
}

export const labelOf = (body: Buffer): string => (JSON.parse(body.toString('utf8')) as { label: string }).label;

/** Rejects if `promise` has not settled within `ms`. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once `condition` holds, checking every 10 ms; for states no event announces (isReady). */
export async function eventually(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Collects what a callback receives, and hands it out in order to whoever awaits `next()`. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(item: T) => void> = [];

  readonly push = (item: T): void => {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  };

  next(ms = 10_000): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift()!);
    return new Promise<T>((resolve, reject) => {
      const waiter = (item: T): void => {
        clearTimeout(timer);
        resolve(item);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no message within ${ms} ms`));
      }, ms);
      this.waiters.push(waiter);
    });
  }
}

/**
 * The next message of `queue`, through a consumer (prefetch 1) that stops taking more once it has one and keeps that
 * one unsettled for the caller; null if none comes within `ms`.
 */
export async function nextDelivery(client: AmqpBrokerClient, queue: string, ms = 1_000): Promise<Delivery | null> {
  const inbox = new Inbox<Delivery>();
  const subscription = await client.consume(queue, 1, inbox.push);
  const delivery = await inbox.next(ms).catch(() => null);
  await subscription.pause();
  return delivery;
}
