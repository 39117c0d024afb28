import { PRIORITY_BANDS, type MessageType, type PriorityBand } from '@conveyor/contracts';

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
  /** direct: `<queue>` → `<queue>.retry`, a delay queue that dead-letters back into `<queue>` when a message expires. */
  retry: 'conveyor.retry',
  /** fanout, transient: rung after each job publish so idle workers poll the bands at once. */
  wake: 'conveyor.wake',
} as const;

export const bandQueue = (band: PriorityBand): string => `conveyor.jobs.${band}`;
export const retryQueue = (queue: string): string => `${queue}.retry`;

/** Work queues, highest priority first. Workers always take from an earlier queue before a later one. */
export const BAND_QUEUES: readonly string[] = PRIORITY_BANDS.map(bandQueue);

export const DEAD_LETTER_QUEUE = 'conveyor.dead';
/** The persistence service's copy of every dead letter: a job whose message died is marked failed, never left running. */
export const PERSISTENCE_DEAD_LETTER_QUEUE = 'conveyor.persistence.dead';
/**
 * One message per webhook delivery (endpoint × job event), published by the notification service to itself,
 * so each delivery backs off through `conveyor.webhooks.retry` on its own schedule.
 */
export const WEBHOOK_QUEUE = 'conveyor.webhooks';

export interface QueueSpec {
  name: string;
  /** Where the queue is bound, as [exchange, routing key or topic pattern]. */
  bindings: Array<[exchange: string, pattern: string]>;
  /** Quorum queues dead-letter a message past this many deliveries (a crash loop, a poison message). */
  deliveryLimit: boolean;
  /** A `<name>.retry` delay queue is declared next to it. */
  retry: boolean;
  /**
   * A sink of dead letters: what its consumers give up on is acked and dropped (the copy in
   * `conveyor.dead` stays), never dead-lettered again, which would loop through the fanout.
   */
  sink?: boolean;
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
  persistence: { mode: 'queue', queues: ['conveyor.persistence', PERSISTENCE_DEAD_LETTER_QUEUE], types: [...terminalAndStarted, 'job.requested'] },
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
    bindings: terminalAndStarted.map((t) => [Exchanges.events, `${t}.*`] as [string, string]),
    deliveryLimit: true,
    retry: true,
  },
  {
    name: 'conveyor.notification',
    bindings: terminal.map((t) => [Exchanges.events, `${t}.*`] as [string, string]),
    deliveryLimit: true,
    retry: true,
  },
  { name: WEBHOOK_QUEUE, bindings: [[Exchanges.events, 'webhook.delivery.*']], deliveryLimit: true, retry: true },
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
