import { z } from 'zod';

/** Seed 001's task states: Conveyor's `running` is its `processing`, and a cancelled or expired job is `failed`. */
export const TASK_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;

/** `POST /generate` → 202. */
export const TaskQueuedSchema = z.object({ status: z.literal('queued'), task_id: z.string(), message: z.string() });

/** `GET /status/{task_id}`. */
export const TaskStatusSchema = z.object({ status: z.enum(TASK_STATUSES), task_id: z.string(), message: z.string() });

/** Seed 001's metrics: times in seconds, as the seed reports them. */
export const TaskMetricsSchema = z.object({
  queue_wait_time: z.number(),
  processing_time: z.number(),
  total_time: z.number(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  tokens_per_second: z.number(),
});

/** `GET /result/{task_id}`: the result with its metrics, the task's state while it is not done, or the error form. */
export const TaskResultSchema = z.union([
  z.object({ status: z.literal('completed'), task_id: z.string(), result: z.string(), metrics: TaskMetricsSchema }),
  z.object({ status: z.enum(['queued', 'processing']), task_id: z.string(), message: z.string() }),
  z.object({ status: z.literal('error'), task_id: z.string(), error_message: z.string(), error_type: z.string() }),
]);

/**
 * One `data:` frame of `GET /stream/{task_id}` (seed 001): `{status, message}` as the task moves, `delta` with
 * each piece of text while it is generated, and `result` (the whole text) once it is completed.
 */
export const TaskProgressEventSchema = z.object({
  task_id: z.string(),
  status: z.enum(TASK_STATUSES),
  message: z.string(),
  delta: z.string().optional(),
  restarted: z.literal(true).optional(),
  result: z.string().optional(),
  error_type: z.string().optional(),
});

export type TaskQueuedView = z.infer<typeof TaskQueuedSchema>;
export type TaskStatusView = z.infer<typeof TaskStatusSchema>;
export type TaskMetrics = z.infer<typeof TaskMetricsSchema>;
export type TaskResultView = z.infer<typeof TaskResultSchema>;
export type TaskProgressEvent = z.infer<typeof TaskProgressEventSchema>;
