import { PRIORITY_BANDS, allOfType, jobRoutingKey, webhookRoutingKey, type MessageType, type PriorityBand } from '@conveyor/contracts';

/**
 * The broker topology, declared in this one place (redeclaring a queue with other arguments fails with
 * 406 PRECONDITION_FAILED, so nothing else declares queues). The diagram in docs/architecture.md mirrors this file.
 */
export const Exchanges = {
  /** direct: `job.requested.<band>.<shard>` → that shard's work queue. */
  jobs: 'conveyor.jobs',
  /** topic: `<event>.<job_id>` → the services' event queues, per-job stream bindings and reply keys. */
  events: 'conveyor.events',
  /** fanout: dead letters, from the broker (delivery limit) and from handlers (invalid, exhausted). */
  deadLetter: 'conveyor.dlx',
  /** direct: `<queue>.retry.<tier>` → that delay queue, which dead-letters back into `<queue>` when a message expires. */
  retry: 'conveyor.retry',
  /**
   * headers, matched on the tier: job retries, for every shard at once. The tier queues dead-letter into
   * `conveyor.jobs` with the message's own routing key, which returns it to the shard it came from.
   */
  jobRetry: 'conveyor.jobs.retry',
} as const;

/** How many shard queues each band has, and how tenants are spread over them (the same in every service). */
export interface TopologyOptions {
  jobShards: number;
  /** Mixed into the tenant's hash: a new salt moves every tenant to another shard (change it with empty queues). */
  shardSalt?: string;
}

export const DEFAULT_TOPOLOGY: TopologyOptions = { jobShards: 4 };

/** One band's shard queue. */
export const jobQueue = (band: PriorityBand, shard: number): string => `conveyor.jobs.${band}.${shard}`;

/** Every job queue, highest band first, shards in order within a band. Workers consume all of them. */
export function jobQueues(options: TopologyOptions): string[] {
  return PRIORITY_BANDS.flatMap((band) => Array.from({ length: options.jobShards }, (_, shard) => jobQueue(band, shard)));
}

/** The band a job queue belongs to, or null for any other queue. */
export function bandOfQueue(queue: string): PriorityBand | null {
  const band = /^conveyor\.jobs\.(high|normal|low)\.\d+$/.exec(queue)?.[1];
  return (band as PriorityBand | undefined) ?? null;
}

/**
 * The shard of a tenant's jobs: FNV-1a (32 bit) of the salt and the tenant id, modulo the shard count. Stochastic
 * fair queuing: a tenant's backlog fills one shard of a band, and workers serve a band's shards in turn.
 */
export function shardOf(tenantId: string, options: TopologyOptions): number {
  let hash = 0x811c9dc5;
  for (const char of `${options.shardSalt ?? ''}\u0000${tenantId}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % options.jobShards;
}

/**
 * The delay tiers of every retrying queue, shortest first: one delay queue per tier, each with a fixed
 * `x-message-ttl`. RabbitMQ expires messages only at the head of a queue, so one queue with per-message
 * delays makes a 5 s retry wait behind a 1 h one; in a queue where every message waits the same time, the
 * head is always the first due. A delay is rounded up to the next tier (never early), and a delay past the
 * last tier waits the last tier (the handler sees it is not due yet and asks again). The defaults of
 * RETRY_DELAY_MS and WEBHOOK_RETRY_SCHEDULE_MS land exactly on tiers.
 */
export const RETRY_DELAY_TIERS_MS: readonly number[] = [1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000];

/** The tier a delay waits in: the smallest tier at least as long, or the longest tier. */
export function retryTierFor(delayMs: number, tiersMs: readonly number[] = RETRY_DELAY_TIERS_MS): number {
  return tiersMs.find((tier) => tier >= delayMs) ?? tiersMs[tiersMs.length - 1]!;
}

/** Units for naming tiers, largest first. */
const TIER_UNITS: ReadonlyArray<[unitMs: number, suffix: string]> = [
  [3_600_000, 'h'],
  [60_000, 'm'],
  [1_000, 's'],
  [1, 'ms'],
];

/** `<queue>.retry.<tier>`, the tier in its largest whole unit (`5s`, `2m`, `1h`; `250ms` below a second). */
export function retryTierQueue(queue: string, tierMs: number): string {
  const [unitMs, suffix] = TIER_UNITS.find(([unit]) => tierMs % unit === 0)!;
  return `${queue}.retry.${tierMs / unitMs}${suffix}`;
}

/** Every delay queue of `queue`, shortest tier first. */
export const retryTierQueues = (queue: string, tiersMs: readonly number[] = RETRY_DELAY_TIERS_MS): string[] =>
  tiersMs.map((tier) => retryTierQueue(queue, tier));

/** Refuses tier lists the adapters cannot use: empty, unsorted, duplicated or not whole positive milliseconds. */
export function assertRetryTiers(tiersMs: readonly number[]): void {
  const valid = tiersMs.length > 0 && tiersMs.every((t, i) => Number.isInteger(t) && t > 0 && (i === 0 || t > tiersMs[i - 1]!));
  if (!valid) throw new Error(`retry tiers must be whole positive milliseconds in increasing order (got ${tiersMs.join(', ')})`);
}

export const DEAD_LETTER_QUEUE = 'conveyor.dead';
/** Worker outcomes (`job.outcome.*`), which persistence commits before it announces the job's end. */
export const PERSISTENCE_QUEUE = 'conveyor.persistence';
/** Terminal job events, published after their commit: the notification service's webhook fan-out. */
export const NOTIFICATION_QUEUE = 'conveyor.notification';
/** The persistence service's copy of every dead letter: a job whose message died is marked failed, never left running. */
export const PERSISTENCE_DEAD_LETTER_QUEUE = 'conveyor.persistence.dead';
/**
 * One message per webhook delivery (endpoint × job event), published by the notification service to itself,
 * so each delivery backs off through the `conveyor.webhooks.retry.<tier>` delay queues on its own schedule.
 */
export const WEBHOOK_QUEUE = 'conveyor.webhooks';
/**
 * Every job's text chunks (`job.delta.*`, and `job.deltas.*` carrying several jobs' chunks), which persistence
 * batches into `job_chunks` so late and resuming stream subscribers can replay them, and the transient
 * `job.started.*` that mark a job running. A classic queue of transient messages: they are short-lived and
 * replaceable (the job's final result is the source of truth), so replicating and fsyncing each one, as a quorum
 * queue does, would cost far more than losing one.
 */
export const DELTAS_QUEUE = 'conveyor.persistence.deltas';

export interface QueueSpec {
  name: string;
  /** Where the queue is bound, as [exchange, routing key or topic pattern]. */
  bindings: Array<[exchange: string, pattern: string]>;
  /** Bindings an earlier version declared and this one removes when it declares the queue, so an upgrade keeps no stale route. */
  formerBindings?: Array<[exchange: string, pattern: string]>;
  /** Quorum queues dead-letter a message past this many deliveries (a crash loop, a poison message). */
  deliveryLimit: boolean;
  /**
   * The job queues: a worker holds more deliveries than it runs (its prefetch), and one killed returns them all, each
   * charged a delivery. Their limit proper counts the job's starts (the worker checks them on a redelivery), so the
   * broker's limit is scaled by HELD_DELIVERY_ALLOWANCE, a backstop for a job that kills its worker before its start
   * is recorded.
   */
  countsStarts?: boolean;
  /**
   * How a message that should be tried later waits: `own`, in the queue's own delay queues (`<name>.retry.<tier>`);
   * `job-tiers`, in the tier queues all job shards share (`conveyor.jobs.retry.<tier>`); `none`, it cannot.
   */
  retry: 'own' | 'job-tiers' | 'none';
  /**
   * A sink of dead letters: what its consumers give up on is acked and dropped (the copy in
   * `conveyor.dead` stays), never dead-lettered again, which would loop through the fanout.
   */
  sink?: boolean;
  /**
   * `quorum` (the default): replicated, with a delivery count. `classic`: for transient, replaceable messages
   * (chunks and starts), declared durable with an `x-max-length` so a stalled consumer cannot fill the broker.
   */
  queueType?: 'quorum' | 'classic';
}

export type ConsumerGroupName = 'inference' | 'persistence' | 'notification';

export interface ConsumerGroup {
  /** `jobs`: the band shards, pushed and started by the worker's scheduler in band order. `queue`: each queue pushed as it comes. */
  mode: 'jobs' | 'queue';
  queues: readonly string[];
  types: readonly MessageType[];
}

const terminal = ['job.completed', 'job.failed', 'job.cancelled', 'job.expired'] as const;

export function consumerGroups(options: TopologyOptions): Record<ConsumerGroupName, ConsumerGroup> {
  return {
    inference: { mode: 'jobs', queues: jobQueues(options), types: ['job.requested'] },
    persistence: {
      mode: 'queue',
      queues: [PERSISTENCE_QUEUE, PERSISTENCE_DEAD_LETTER_QUEUE, DELTAS_QUEUE],
      types: ['job.outcome', 'job.started', 'job.delta', 'job.deltas', 'job.requested'],
    },
    notification: { mode: 'queue', queues: [NOTIFICATION_QUEUE, WEBHOOK_QUEUE], types: [...terminal, 'webhook.delivery'] },
  };
}

/** Every queue the topology declares (besides the job retry tiers, see jobRetryTierQueue). */
export function queueSpecs(options: TopologyOptions): QueueSpec[] {
  return [
    ...PRIORITY_BANDS.flatMap((band) =>
      Array.from({ length: options.jobShards }, (_, shard) => ({
        name: jobQueue(band, shard),
        bindings: [[Exchanges.jobs, jobRoutingKey(band, shard)]] as Array<[string, string]>,
        deliveryLimit: true,
        countsStarts: true,
        retry: 'job-tiers' as const,
      })),
    ),
    { name: PERSISTENCE_QUEUE, bindings: [[Exchanges.events, allOfType('job.outcome')]], deliveryLimit: true, retry: 'own' },
    {
      name: NOTIFICATION_QUEUE,
      // Only the ends that may have a webhook to send (see webhookRoutingKey); every end once went here.
      bindings: terminal.map((t) => [Exchanges.events, webhookRoutingKey(t)] as [string, string]),
      formerBindings: terminal.map((t) => [Exchanges.events, allOfType(t)] as [string, string]),
      deliveryLimit: true,
      retry: 'own',
    },
    { name: WEBHOOK_QUEUE, bindings: [[Exchanges.events, 'webhook.delivery.*']], deliveryLimit: true, retry: 'own' },
    {
      name: DELTAS_QUEUE,
      bindings: [
        [Exchanges.events, allOfType('job.delta')],
        [Exchanges.events, allOfType('job.deltas')],
        [Exchanges.events, allOfType('job.started')],
      ],
      deliveryLimit: false,
      retry: 'none',
      queueType: 'classic',
    },
    { name: DEAD_LETTER_QUEUE, bindings: [[Exchanges.deadLetter, '']], deliveryLimit: false, retry: 'none' },
    { name: PERSISTENCE_DEAD_LETTER_QUEUE, bindings: [[Exchanges.deadLetter, '']], deliveryLimit: false, retry: 'own', sink: true },
  ];
}

/** How many more deliveries than JOB_MAX_DELIVERIES the broker allows a job message (see QueueSpec.countsStarts). */
export const HELD_DELIVERY_ALLOWANCE = 4;

/** The deliveries after which the broker dead-letters a message of `spec`, or null for none. */
export function deliveryLimitOf(spec: QueueSpec, maxDeliveries: number): number | null {
  if (!spec.deliveryLimit) return null;
  return spec.countsStarts ? maxDeliveries * HELD_DELIVERY_ALLOWANCE : maxDeliveries;
}

/** The shared delay queue of one tier for every job shard (see Exchanges.jobRetry). */
export const jobRetryTierQueue = (tierMs: number): string => retryTierQueue('conveyor.jobs', tierMs);

/** The header the job retry exchange routes on. Not `x-…`: a headers exchange leaves those out of its matching. */
export const JOB_RETRY_TIER_HEADER = 'conveyor-retry-tier';

/** Whether a queue is a dead-letter sink (see QueueSpec.sink). */
export function isSinkQueue(queue: string): boolean {
  return queue === PERSISTENCE_DEAD_LETTER_QUEUE;
}

/** The exchange a message type is published to. */
export function exchangeOf(type: MessageType): string {
  return type === 'job.requested' ? Exchanges.jobs : Exchanges.events;
}

/** AMQP topic matching: `*` is one word, `#` is zero or more. Used by the in-process broker. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = pattern.split('.');
  const k = routingKey.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

/**
 * The routing key a gateway replica's reply queue is bound to: persistence CCs a job's terminal event to it, so the
 * replica waiting for the job hears its end without binding per job. Only letters, digits, `_` and `-` from the id.
 */
export function replyKeyOf(replicaId: string): string {
  return `reply.${replicaId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
