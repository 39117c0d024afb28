import { z } from 'zod';
import { ChatMessageSchema } from './chat-message.schema';
import { CompletionParamsSchema, FINISH_REASONS, UsageSchema } from './completion-params.schema';
import { JOB_ERROR_CODES } from './job-status';
import { PRIORITY_BANDS } from './priority.util';
import { ProviderAttemptSchema } from './provider-attempt.schema';
import { ToolCallSchema } from './tool.schema';

const JobId = z.uuid();
const Timestamp = z.iso.datetime({ offset: true });
/** Every provider call of the delivery that ended the job. Optional: events from older workers carry none. */
const AttemptsLog = z.array(ProviderAttemptSchema).optional();

/** A job to run, published by the gateway to the job's priority band. */
export const JobRequestedSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  model: z.string().min(1),
  priority: z.enum(PRIORITY_BANDS),
  messages: z.array(ChatMessageSchema).min(1),
  params: CompletionParamsSchema,
  metadata: z.record(z.string(), z.string()).optional(),
  created_at: Timestamp,
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
});

export const JobFailedSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  attempt: z.number().int().positive(),
  failed_at: Timestamp,
  error: z.object({ code: z.enum(JOB_ERROR_CODES), message: z.string() }),
  attempts_log: AttemptsLog,
});

export const JobCancelledSchema = z.object({
  job_id: JobId,
  tenant_id: z.string().min(1),
  cancelled_at: Timestamp,
  /** Set when a worker stopped the job mid-generation: the text generated so far and its (estimated) usage. */
  partial: z.object({ content: z.string(), usage: UsageSchema }).optional(),
});

export type JobRequested = z.infer<typeof JobRequestedSchema>;
export type JobStarted = z.infer<typeof JobStartedSchema>;
export type JobDelta = z.infer<typeof JobDeltaSchema>;
export type JobResult = z.infer<typeof JobResultSchema>;
export type JobCompleted = z.infer<typeof JobCompletedSchema>;
export type JobFailed = z.infer<typeof JobFailedSchema>;
export type JobCancelled = z.infer<typeof JobCancelledSchema>;
