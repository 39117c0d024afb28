import { z } from 'zod';
import { PRIORITY_BANDS } from '@conveyor/contracts';

/** `POST /chat/async`: where to follow the task. */
export const ChatQueuedSchema = z.object({
  status: z.literal('queued'),
  task_id: z.string(),
  session_id: z.string(),
  stream_url: z.string(),
});

/**
 * Celery's task states, which seed 004's `GET /chat/{task_id}` reports (its README names the route, not the
 * shape): PENDING (queued), STARTED (running), SUCCESS, FAILURE, REVOKED (cancelled, or expired before it started).
 */
export const CHAT_TASK_STATES = ['PENDING', 'STARTED', 'SUCCESS', 'FAILURE', 'REVOKED'] as const;

/** `GET /chat/{task_id}`. */
export const ChatTaskSchema = z.object({
  task_id: z.string(),
  session_id: z.string(),
  status: z.enum(CHAT_TASK_STATES),
  ready: z.boolean(),
  model: z.string(),
  priority: z.enum(PRIORITY_BANDS),
  result: z.string().nullable(),
  usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

/** One `data:` frame of `GET /stream/{session_id}` (seed 004). */
export const ChatStreamEventSchema = z.union([
  z.object({ type: z.literal('chunk'), content: z.string() }),
  z.object({ type: z.literal('complete'), finish_reason: z.string().optional() }),
  z.object({ type: z.literal('error'), message: z.string(), code: z.string().optional() }),
]);

export type ChatQueuedView = z.infer<typeof ChatQueuedSchema>;
export type ChatTaskView = z.infer<typeof ChatTaskSchema>;
export type ChatStreamEvent = z.infer<typeof ChatStreamEventSchema>;
