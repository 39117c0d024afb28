import { z } from 'zod';
import { ChatMessageSchema, MAX_TOOLS, ToolDefinitionSchema, type RequestLimits } from '@conveyor/contracts';

function base(limits: RequestLimits) {
  return {
    model: z.string({ error: 'must name a model group or a model' }).min(1).max(256),
    messages: z
      .array(ChatMessageSchema, { error: 'messages must be an array of chat messages' })
      .min(1, 'messages must hold at least one message')
      .max(limits.maxMessages, `messages holds at most ${limits.maxMessages} messages`),
    tenant_id: z.string({ error: 'must be a string' }).min(1).max(256),
  };
}

/**
 * Seed 003's `POST /complete` body: `model` (a group such as `quality` or `fast`, or a model), OpenAI messages, the
 * caller's `tenant_id` (recorded on the job for the caller's own cost attribution; Conveyor's tenant is the API
 * key's) and optional OpenAI tools.
 */
export function completeRequestSchema(limits: RequestLimits) {
  return z.object({
    ...base(limits),
    tools: z.array(ToolDefinitionSchema, { error: 'tools must be an array of function tools' }).max(MAX_TOOLS).nullish(),
  });
}

/** `POST /complete/stream`: the same without tools, which the seed's stream does not support. */
export function streamCompleteRequestSchema(limits: RequestLimits) {
  return z.object(base(limits));
}

export type CompleteRequest = z.infer<ReturnType<typeof completeRequestSchema>>;
export type StreamCompleteRequest = z.infer<ReturnType<typeof streamCompleteRequestSchema>>;
