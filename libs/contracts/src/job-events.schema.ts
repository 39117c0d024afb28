import { z } from 'zod';
import { ChatMessageSchema } from './chat-message.schema';
import { JobBatchSchema } from './job-batch.schema';
import { CompletionParamsSchema, FINISH_REASONS, UsageSchema } from './completion-params.schema';
import { JOB_ERROR_CODES } from './job-status';
import { PRIORITY_BANDS } from './priority.util';
import { ProviderAttemptSchema } from './provider-attempt.schema';
import { ToolCallSchema } from './tool.schema';

const JobId = z.uuid();
const Timestamp = z.iso.datetime({ offset: true });
/** Every provider call of the delivery that ended the job. Optional: events from older workers carry none. */
const AttemptsLog = z.array(ProviderAttemptSchema).optional();
/** The batch the job ran in, when the worker batched it (see docs/batching.md). */
const Batch = JobBatchSchema.optional();

/** Where a waiting caller hears the job's end: a gateway replica's reply key (see docs/intake-design.md). */
const ReplyTo = z.string().min(1).max(200);

/** A job to run, published by the gateway to one shard queue of the job's priority band. */
export const JobRequestedSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  model: z.string().min(1),
  priority: z.enum(PRIORITY_BANDS),
  /** The band's shard queue the tenant's jobs go to (fair share between tenants; see docs/intake-design.md). */
  shard: z.number().int().nonnegative(),
  reply_to: ReplyTo.optional(),
  /** Someone watches the job's text from the start: the worker publishes its chunks as they come (see job.watch). */
  stream: z.boolean().optional(),
  /** The caller's deadline: a job still queued past it ends `expired` without a provider call. */
  expires_at: Timestamp.optional(),
  /** The submitting surface asked for the job to be batched (seed 002's `/v1/query`): see docs/batching.md. */
  batchable: z.boolean().optional(),
  messages: z.array(ChatMessageSchema).min(1),
  params: CompletionParamsSchema,
  metadata: z.record(z.string(), z.string()).optional(),
  created_at: Timestamp,
  /** When the tenant's settings last changed, as the admitting gateway knew them (see NewJob.settingsVersion). */
  settings_version: z
    .string()
    .regex(/^\d{20}$/)
    .optional(),
  /**
   * Sent again by the orphan sweep, for a job whose first publish was never confirmed: the first may exist all the
   * same, so a worker runs this one only while the job is still queued.
   */
  republished: z.literal(true).optional(),
});

/** A worker took the job. `attempt` counts deliveries of the job message, from 1. */
export const JobStartedSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  attempt: z.number().int().positive(),
  worker_id: z.string().min(1),
  started_at: Timestamp,
});

/**
 * A slice of generated text. `seq` counts chunks of one provider call from 0: a delta with `seq` 0 starts the
 * text over (the first call, or a fallback that restarts generation after a failure mid-stream, or a
 * redelivery). Transient: never persisted.
 */
export const JobDeltaSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  attempt: z.number().int().positive(),
  seq: z.number().int().nonnegative(),
  content: z.string(),
});

/** The most chunks one `job.deltas` carries: each adds a routing key to its CC header, which must stay small. */
export const MAX_CHUNKS_PER_MESSAGE = 128;

/**
 * Chunks of several jobs in one message, as a worker running many streamed jobs sends them: one broker message per
 * gathering window instead of one per chunk. It is routed by every job it carries (the first key and CC), so each
 * queue bound to any of them takes one copy.
 */
export const JobDeltasSchema = z.object({
  chunks: z.array(JobDeltaSchema).min(1).max(MAX_CHUNKS_PER_MESSAGE),
});

/**
 * A finished completion. `content` is the text ('' when the model only called tools); `tool_calls` holds the calls,
 * in OpenAI's shape whatever the provider. `usage_estimated` is true when the upstream reported no usage and it
 * was counted with a tokenizer, so usage totals can tell the two apart.
 */
export const JobResultSchema = z.object({
  message: z.object({ role: z.literal('assistant'), content: z.string(), tool_calls: z.array(ToolCallSchema).optional() }),
  finish_reason: z.enum(FINISH_REASONS),
  usage: UsageSchema,
  usage_estimated: z.boolean().optional(),
  provider: z.string().min(1),
  model: z.string().min(1),
  /**
   * An embeddings job's vectors, one per input in order, each little-endian float32 in base64 (see
   * embedding-vector.util.ts); its `message` is then empty and `usage` counts the inputs' tokens alone.
   */
  embeddings: z.array(z.string()).optional(),
});

export const JobCompletedSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  attempt: z.number().int().positive(),
  worker_id: z.string().min(1),
  started_at: Timestamp,
  completed_at: Timestamp,
  result: JobResultSchema,
  attempts_log: AttemptsLog,
  batch: Batch,
  /** Set by persistence when it announces the end: whether the job has its own callback URL (absent: unknown). */
  has_callback: z.boolean().optional(),
});

export const JobFailedSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  attempt: z.number().int().positive(),
  failed_at: Timestamp,
  error: z.object({ code: z.enum(JOB_ERROR_CODES), message: z.string() }),
  attempts_log: AttemptsLog,
  batch: Batch,
  /** Set by persistence when it announces the end: whether the job has its own callback URL (absent: unknown). */
  has_callback: z.boolean().optional(),
});

/** A job that was still queued when its deadline passed: it never ran. */
export const JobExpiredSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  expired_at: Timestamp,
  /** Set by persistence when it announces the end: whether the job has its own callback URL (absent: unknown). */
  has_callback: z.boolean().optional(),
});

export const JobCancelledSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  cancelled_at: Timestamp,
  /** Set when a worker stopped the job mid-generation: the text generated so far and its (estimated) usage. */
  partial: z.object({ content: z.string(), usage: UsageSchema }).optional(),
  batch: Batch,
  /** Set by persistence when it announces the end: whether the job has its own callback URL (absent: unknown). */
  has_callback: z.boolean().optional(),
});

/**
 * How a worker's run of a job ended, for persistence alone: it commits the row, then publishes the public terminal
 * event (`type`, with `event` as its payload) to every relay, so nobody hears of an end the row does not show yet.
 */
export const JobOutcomeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job.completed'), event: JobCompletedSchema, reply_to: ReplyTo.optional() }),
  z.object({ type: z.literal('job.failed'), event: JobFailedSchema, reply_to: ReplyTo.optional() }),
  z.object({ type: z.literal('job.cancelled'), event: JobCancelledSchema, reply_to: ReplyTo.optional() }),
  z.object({ type: z.literal('job.expired'), event: JobExpiredSchema, reply_to: ReplyTo.optional() }),
]);

export type JobRequested = z.infer<typeof JobRequestedSchema>;
export type JobOutcome = z.infer<typeof JobOutcomeSchema>;
export type JobStarted = z.infer<typeof JobStartedSchema>;
export type JobDelta = z.infer<typeof JobDeltaSchema>;
export type JobDeltas = z.infer<typeof JobDeltasSchema>;
export type JobResult = z.infer<typeof JobResultSchema>;
export type JobCompleted = z.infer<typeof JobCompletedSchema>;
export type JobFailed = z.infer<typeof JobFailedSchema>;
export type JobCancelled = z.infer<typeof JobCancelledSchema>;
export type JobExpired = z.infer<typeof JobExpiredSchema>;
