import { PRIORITY_BANDS, allOfType, type MessageType, type PriorityBand } from '@conveyor/contracts';

/**
 * The broker topology, declared in this one place (redeclaring a queue with other arguments fails with
 * 406 PRECONDITION_FAILED, so nothing else declares queues). The README diagram mirrors this file.
 */
export const Exchanges = {
  /** direct: `job.requested.<band>` → the band's work queue. */
  jobs: 'conveyor.jobs',
  /** topic: `<event>.<job_id>` → the services' event queues (and, later, per-job stream bindings). */
  events: 'conveyor.events',
  /** fanout: dead letters, from the broker (delivery limit) and from handlers (invalid, exhausted). */
  deadLetter: 'conveyor.dlx',
  /** direct: `<queue>.retry.<tier>` → that delay queue, which dead-letters back into `<queue>` when a message expires. */
  retry: 'conveyor.retry',
  /** fanout, transient: rung after job publishes (at most once per 2 ms) so an idle worker polls the bands at once. */
  wake: 'conveyor.wake',
} as const;

export const bandQueue = (band: PriorityBand): string => `conveyor.jobs.${band}`;

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
const TIER_UNITS: ReadonlyArray<[unitMs: number, suffix: string]> = [[3_600_000, 'h'], [60_000, 'm'], [1_000, 's'], [1, 'ms']];

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

/** Work queues, highest priority first. Workers always take from an earlier queue before a later one. */
export const BAND_QUEUES: readonly string[] = PRIORITY_BANDS.map(bandQueue);

export const DEAD_LETTER_QUEUE = 'conveyor.dead';
/** The persistence service's copy of every dead letter: a job whose message died is marked failed, never left running. */
export const PERSISTENCE_DEAD_LETTER_QUEUE = 'conveyor.persistence.dead';
/**
 * One message per webhook delivery (endpoint × job event), published by the notification service to itself,
 * so each delivery backs off through the `conveyor.webhooks.retry.<tier>` delay queues on its own schedule.
 */
export const WEBHOOK_QUEUE = 'conveyor.webhooks';
/**
 * Every job's text chunks (`job.delta.*`), which persistence batches into `job_chunks` so late and resuming
 * stream subscribers can replay them. A classic queue of transient messages: chunks are short-lived and
 * replaceable (the job's final result is the source of truth), so replicating and fsyncing each one, as a
 * quorum queue does, would cost far more than losing one.
 */
export const DELTAS_QUEUE = 'conveyor.persistence.deltas';

export interface QueueSpec {
  name: string;
  /** Where the queue is bound, as [exchange, routing key or topic pattern]. */
  bindings: Array<[exchange: string, pattern: string]>;
  /** Quorum queues dead-letter a message past this many deliveries (a crash loop, a poison message). */
  deliveryLimit: boolean;
  /** Its delay queues, one per tier (`<name>.retry.<tier>`), are declared next to it. */
  retry: boolean;
  /**
   * A sink of dead letters: what its consumers give up on is acked and dropped (the copy in
   * `conveyor.dead` stays), never dead-lettered again, which would loop through the fanout.
   */
  sink?: boolean;
  /**
   * `quorum` (the default): replicated, with a delivery count. `classic`: for transient, replaceable messages
   * (chunks), declared durable with an `x-max-length` so a stalled consumer cannot fill the broker.
   */
  queueType?: 'quorum' | 'classic';
}

export type ConsumerGroupName = 'inference' | 'persistence' | 'notification';

export interface ConsumerGroup {
  /** `bands`: strict priority over several queues, taken one at a time. `queue`: one queue, pushed with prefetch. */
  mode: 'bands' | 'queue';
  queues: readonly string[];
  types: readonly MessageType[];
}

const terminalAndStarted = ['job.started', 'job.completed', 'job.failed', 'job.cancelled'] as const;
const terminal = ['job.completed', 'job.failed', 'job.cancelled'] as const;

export const CONSUMER_GROUPS: Record<ConsumerGroupName, ConsumerGroup> = {
  inference: { mode: 'bands', queues: BAND_QUEUES, types: ['job.requested'] },
  persistence: {
    mode: 'queue',
    queues: ['conveyor.persistence', PERSISTENCE_DEAD_LETTER_QUEUE, DELTAS_QUEUE],
    types: [...terminalAndStarted, 'job.requested', 'job.delta'],
  },
  notification: { mode: 'queue', queues: ['conveyor.notification', WEBHOOK_QUEUE], types: [...terminal, 'webhook.delivery'] },
};

export const QUEUES: readonly QueueSpec[] = [
  ...PRIORITY_BANDS.map((band) => ({
    name: bandQueue(band),
    bindings: [[Exchanges.jobs, `job.requested.${band}`]] as Array<[string, string]>,
    deliveryLimit: true,
    retry: true,
  })),
  {
    name: 'conveyor.persistence',
    bindings: terminalAndStarted.map((t) => [Exchanges.events, allOfType(t)] as [string, string]),
    deliveryLimit: true,
    retry: true,
  },
  {
    name: 'conveyor.notification',
    bindings: terminal.map((t) => [Exchanges.events, allOfType(t)] as [string, string]),
    deliveryLimit: true,
    retry: true,
  },
  { name: WEBHOOK_QUEUE, bindings: [[Exchanges.events, 'webhook.delivery.*']], deliveryLimit: true, retry: true },
  { name: DELTAS_QUEUE, bindings: [[Exchanges.events, allOfType('job.delta')]], deliveryLimit: false, retry: false, queueType: 'classic' },
  { name: DEAD_LETTER_QUEUE, bindings: [[Exchanges.deadLetter, '']], deliveryLimit: false, retry: false },
  { name: PERSISTENCE_DEAD_LETTER_QUEUE, bindings: [[Exchanges.deadLetter, '']], deliveryLimit: false, retry: true, sink: true },
];

/** Whether a queue is a dead-letter sink (see QueueSpec.sink). */
export function isSinkQueue(queue: string): boolean {
  return QUEUES.some((q) => q.name === queue && q.sink === true);
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
