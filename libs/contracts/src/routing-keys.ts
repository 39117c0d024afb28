import type { z } from 'zod';
import {
  JobCancelledSchema,
  JobCompletedSchema,
  JobDeltaSchema,
  JobFailedSchema,
  JobRequestedSchema,
  JobStartedSchema,
} from './job-events.schema';
import { JobCancelRequestedSchema } from './job-control.schema';
import { WebhookDeliverySchema } from './webhook-delivery.schema';

/**
 * The one map from message type to payload schema. Every publisher and every handler goes through it:
 * no routing-key string or payload shape is defined anywhere else.
 */
export const MESSAGE_SCHEMAS = {
  'job.requested': JobRequestedSchema,
  'job.started': JobStartedSchema,
  'job.delta': JobDeltaSchema,
  'job.completed': JobCompletedSchema,
  'job.failed': JobFailedSchema,
  'job.cancelled': JobCancelledSchema,
  'job.cancel_requested': JobCancelRequestedSchema,
  'webhook.delivery': WebhookDeliverySchema,
} as const;

export type MessageType = keyof typeof MESSAGE_SCHEMAS;
export type MessagePayload<T extends MessageType> = z.infer<(typeof MESSAGE_SCHEMAS)[T]>;

/** Named constants for handler decorators: `@EventPattern(MessageTypes.JobCompleted)`. */
export const MessageTypes = {
  JobRequested: 'job.requested',
  JobStarted: 'job.started',
  JobDelta: 'job.delta',
  JobCompleted: 'job.completed',
  JobFailed: 'job.failed',
  JobCancelled: 'job.cancelled',
  JobCancelRequested: 'job.cancel_requested',
  WebhookDelivery: 'webhook.delivery',
} as const satisfies Record<string, MessageType>;

/** Messages that must survive a broker restart: published persistent and confirmed. Deltas are transient. */
export const DURABLE_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  'job.requested',
  'job.started',
  'job.completed',
  'job.failed',
  'job.cancelled',
  'webhook.delivery',
]);

export const TERMINAL_EVENT_TYPES = ['job.completed', 'job.failed', 'job.cancelled'] as const satisfies readonly MessageType[];

/**
 * The broker routing key of a message. Jobs route by band (`job.requested.high`); job events route by
 * type and job (`job.completed.<job_id>`), so a subscriber can bind to one job's events.
 */
export function routingKeyOf<T extends MessageType>(type: T, payload: MessagePayload<T>): string {
  if (type === 'job.requested') return `${type}.${(payload as MessagePayload<'job.requested'>).priority}`;
  return `${type}.${(payload as { job_id: string }).job_id}`;
}

/** A topic pattern for every message of one type, whichever job it is about (`job.completed.*`). */
export function allOfType(type: Exclude<MessageType, 'job.requested'>): string {
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
