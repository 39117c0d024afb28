import type { z } from 'zod';
import {
  JobCancelledSchema,
  JobCompletedSchema,
  JobDeltaSchema,
  JobDeltasSchema,
  JobExpiredSchema,
  JobFailedSchema,
  JobOutcomeSchema,
  JobRequestedSchema,
  JobStartedSchema,
} from './job-events.schema';
import type { PriorityBand } from './priority.util';
import { JobCancelRequestedSchema, JobWatchSchema, WebhookEndpointsChangedSchema } from './job-control.schema';
import { TenantSettingsChangedSchema } from './tenant-settings.schema';
import { WebhookDeliverySchema } from './webhook-delivery.schema';
import { AccessChangedSchema, WorkerHeartbeatSchema } from './admin-events.schema';

/**
 * The one map from message type to payload schema. Every publisher and every handler goes through it:
 * no routing-key string or payload shape is defined anywhere else.
 */
export const MESSAGE_SCHEMAS = {
  'job.requested': JobRequestedSchema,
  'job.started': JobStartedSchema,
  'job.delta': JobDeltaSchema,
  'job.deltas': JobDeltasSchema,
  'job.completed': JobCompletedSchema,
  'job.failed': JobFailedSchema,
  'job.cancelled': JobCancelledSchema,
  'job.expired': JobExpiredSchema,
  'job.outcome': JobOutcomeSchema,
  'job.cancel_requested': JobCancelRequestedSchema,
  'job.watch': JobWatchSchema,
  'webhook.endpoints_changed': WebhookEndpointsChangedSchema,
  'webhook.delivery': WebhookDeliverySchema,
  'tenant.settings_changed': TenantSettingsChangedSchema,
  'access.changed': AccessChangedSchema,
  'worker.heartbeat': WorkerHeartbeatSchema,
} as const;

export type MessageType = keyof typeof MESSAGE_SCHEMAS;
export type MessagePayload<T extends MessageType> = z.infer<(typeof MESSAGE_SCHEMAS)[T]>;

/** Named constants for handler decorators: `@EventPattern(MessageTypes.JobCompleted)`. */
export const MessageTypes = {
  JobRequested: 'job.requested',
  JobStarted: 'job.started',
  JobDelta: 'job.delta',
  JobDeltas: 'job.deltas',
  JobCompleted: 'job.completed',
  JobFailed: 'job.failed',
  JobCancelled: 'job.cancelled',
  JobExpired: 'job.expired',
  JobOutcome: 'job.outcome',
  JobCancelRequested: 'job.cancel_requested',
  JobWatch: 'job.watch',
  WebhookEndpointsChanged: 'webhook.endpoints_changed',
  WebhookDelivery: 'webhook.delivery',
  TenantSettingsChanged: 'tenant.settings_changed',
  AccessChanged: 'access.changed',
  WorkerHeartbeat: 'worker.heartbeat',
} as const satisfies Record<string, MessageType>;

/**
 * Messages that must survive a broker restart: published persistent and confirmed. Deltas and starts are transient:
 * the final result makes a lost chunk good, and the terminal event sets a start time a lost `job.started` missed.
 */
export const DURABLE_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  'job.requested',
  'job.outcome',
  'job.completed',
  'job.failed',
  'job.cancelled',
  'job.expired',
  'webhook.delivery',
]);

export const TERMINAL_EVENT_TYPES = ['job.completed', 'job.failed', 'job.cancelled', 'job.expired'] as const satisfies readonly MessageType[];

/**
 * The extra routing key (CC) a terminal event carries when it may have webhooks to send: the notification queue
 * binds only these, so the end of a job without any webhook costs it no message at all.
 */
export function webhookRoutingKey(type: (typeof TERMINAL_EVENT_TYPES)[number]): string {
  return `hooks.${type}`;
}

/**
 * The broker routing key of a message. Jobs route by band and shard (`job.requested.high.2`); job events route by
 * type and job (`job.completed.<job_id>`), so a subscriber can bind to one job's events.
 */
export function routingKeyOf<T extends MessageType>(type: T, payload: MessagePayload<T>): string {
  if (type === 'job.requested') {
    const job = payload as MessagePayload<'job.requested'>;
    return jobRoutingKey(job.priority, job.shard);
  }
  // Tenant ids are free text (dots included): the tenant travels in the payload, never in the key.
  if (type === 'webhook.endpoints_changed') return `${type}.tenant`;
  if (type === 'job.outcome') return `${type}.${(payload as MessagePayload<'job.outcome'>).event.job_id}`;
  // A tenant id may hold dots, which a topic key would split into words: the key is the type alone.
  if (type === 'tenant.settings_changed') return type;
  if (type === 'access.changed') return `${type}.${(payload as MessagePayload<'access.changed'>).key_id ?? 'tenant'}`;
  if (type === 'worker.heartbeat') return `${type}.${routingWord((payload as MessagePayload<'worker.heartbeat'>).worker_id)}`;
  if (type === 'job.deltas') return `${type}.${(payload as MessagePayload<'job.deltas'>).chunks[0]!.job_id}`;
  return `${type}.${(payload as { job_id: string }).job_id}`;
}

/** The CC keys of a `job.deltas`: one per job it carries besides the first, whose key is the routing key. */
export function jobDeltasCc(payload: MessagePayload<'job.deltas'>): string[] {
  const first = payload.chunks[0]!.job_id;
  const others = new Set(payload.chunks.map((c) => c.job_id).filter((id) => id !== first));
  return [...others].map((id) => `job.deltas.${id}`);
}

/** One routing-key word from any id: only letters, digits, `_` and `-` (a dot would split it). */
function routingWord(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** The routing key of the jobs of one band's shard. */
export function jobRoutingKey(band: PriorityBand, shard: number): string {
  return `job.requested.${band}.${shard}`;
}

/** A topic pattern for every message of one type, whichever job it is about (`job.completed.*`). */
export function allOfType(type: Exclude<MessageType, 'job.requested' | 'tenant.settings_changed'>): string {
  return `${type}.*`;
}

/** A topic pattern for every event of one job (`job.*.<job_id>`): what a stream subscriber binds. */
export function jobEventsPattern(jobId: string): string {
  return `job.*.${jobId}`;
}

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MESSAGE_SCHEMAS, value);
}

export type ParseResult<T extends MessageType> = { ok: true; payload: MessagePayload<T> } | { ok: false; error: string };

/** Validates a payload against its type's schema (every queue boundary calls this). */
export function parseMessage<T extends MessageType>(type: T, data: unknown): ParseResult<T> {
  const result = MESSAGE_SCHEMAS[type].safeParse(data);
  if (result.success) return { ok: true, payload: result.data as MessagePayload<T> };
  const issue = result.error.issues[0];
  return { ok: false, error: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
}
