import { z } from 'zod';
import { FINISH_REASONS, UsageSchema } from './completion-params.schema';
import { BATCH_MODES } from './job-batch.schema';
import { EmbeddingListViewSchema } from './embedding-view.schema';
import { JOB_STATUSES } from './job-status';
import type { ChatCompletionView, JobAcceptedView, JobListView, JobStatusView, JobView, ModelListView, QueueStandingView } from './job-view';
import { PRIORITY_BANDS } from './priority.util';
import { ProviderAttemptSchema } from './provider-attempt.schema';
import { ToolCallSchema } from './tool.schema';

/**
 * The public views of job-view.ts as zod schemas, for the API document (`@ApiResponse`). The interfaces stay the
 * presenters' types; the checks at the end make this file fail to compile the moment a schema and its interface
 * disagree, either way.
 */
const Timestamp = z.string().describe('ISO 8601');
const Links = z.object({ self: z.string(), status: z.string(), cancel: z.string() });

export const QueueStandingViewSchema = z.object({
  position: z.number().int(),
  ahead_in_higher_bands: z.number().int(),
  estimated_start_at: Timestamp.nullable(),
});

export const ChatCompletionViewSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal('assistant'), content: z.string().nullable(), tool_calls: z.array(ToolCallSchema).optional() }),
      finish_reason: z.enum(FINISH_REASONS),
    }),
  ),
  usage: UsageSchema,
});

export const JobViewSchema = z.object({
  object: z.literal('job'),
  job_id: z.string(),
  status: z.enum(JOB_STATUSES),
  model: z.string(),
  priority: z.enum(PRIORITY_BANDS),
  created_at: Timestamp,
  updated_at: Timestamp,
  timestamps: z.object({
    queued: Timestamp,
    started: Timestamp.nullable(),
    completed: Timestamp.nullable(),
    failed: Timestamp.nullable(),
    cancelled: Timestamp.nullable(),
    expired: Timestamp.nullable(),
  }),
  expires_at: Timestamp.nullable(),
  queue: QueueStandingViewSchema.nullable(),
  attempts: z.number().int(),
  provider_attempts: z.array(ProviderAttemptSchema),
  partial_result: z.object({ content: z.string(), usage: UsageSchema }).nullable(),
  result: z.union([ChatCompletionViewSchema, EmbeddingListViewSchema]).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  metrics: z.object({ queue_wait_ms: z.number().nullable(), processing_ms: z.number().nullable(), tokens_per_second: z.number().nullable() }),
  metadata: z.record(z.string(), z.string()),
  batch_id: z.string().nullable(),
  batch: z.object({ mode: z.enum(BATCH_MODES), size: z.number().int(), index: z.number().int(), fallback: z.boolean() }).nullable(),
  links: Links,
});

export const JobAcceptedViewSchema = z.object({
  object: z.literal('job'),
  job_id: z.string(),
  status: z.literal('queued'),
  model: z.string(),
  priority: z.enum(PRIORITY_BANDS),
  created_at: Timestamp,
  links: Links,
});

export const JobStatusViewSchema = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATUSES),
  updated_at: Timestamp,
  queue: QueueStandingViewSchema.optional(),
});

export const JobListViewSchema = z.object({
  object: z.literal('list'),
  data: z.array(JobViewSchema),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});

export const ModelListViewSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.literal('conveyor') })),
});

/** Compiles only while `S`'s type and `V` are assignable to each other. */
type Agree<S extends z.ZodType, V> = [z.infer<S>] extends [V] ? ([V] extends [z.infer<S>] ? true : never) : never;
const _agree: [
  Agree<typeof JobViewSchema, JobView>,
  Agree<typeof ChatCompletionViewSchema, ChatCompletionView>,
  Agree<typeof JobAcceptedViewSchema, JobAcceptedView>,
  Agree<typeof JobStatusViewSchema, JobStatusView>,
  Agree<typeof JobListViewSchema, JobListView>,
  Agree<typeof ModelListViewSchema, ModelListView>,
  Agree<typeof QueueStandingViewSchema, QueueStandingView>,
] = [true, true, true, true, true, true, true];
