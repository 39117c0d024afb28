import { z } from 'zod';
import { ChatMessageSchema } from './chat-message.schema';
import { rejectUnstorableText } from './storable-text.util';
import { PRIORITY_MAX, PRIORITY_MIN, parsePriority } from './priority.util';
import { ToolChoiceSchema, ToolDefinitionSchema } from './tool.schema';

/** OpenAI's own ceiling on the tools of one request. */
export const MAX_TOOLS = 128;

export interface RequestLimits {
  /** Largest `max_tokens` a caller may ask for. */
  maxTokensCap: number;
  /** Most messages one request may carry. */
  maxMessages: number;
}

/** Caller metadata kept on the job (every submitting route takes the same). */
export const MetadataSchema = z
  .record(z.string().max(64), z.string().max(512), { error: 'metadata must map strings to strings' })
  .refine((m) => Object.keys(m).length <= 16, 'metadata holds at most 16 keys');

/** A band name or the seeds' integer priority (every submitting route takes the same). */
export const PrioritySchema = z
  .union([z.string(), z.number()], {
    error: `priority must be "high", "normal" (or "medium") or "low", or an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX}`,
  })
  .refine((p) => parsePriority(p) !== null, {
    error: `priority must be "high", "normal" (or "medium") or "low", or an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX}`,
  });

/**
 * The body of `POST /v1/chat/completions`: OpenAI's chat completion request plus Conveyor's `priority`.
 * Unknown fields are ignored, as the OpenAI SDKs send fields Conveyor does not act on yet. No text may hold what the
 * database cannot store (see rejectUnstorableText).
 */
export function chatCompletionRequestSchema(limits: RequestLimits) {
  const maxTokens = z
    .number({ error: 'must be an integer' })
    .int('must be an integer')
    .positive('must be at least 1')
    .max(limits.maxTokensCap, `must be at most ${limits.maxTokensCap}`);
  return z
    .object({
      model: z.string().min(1).max(256).optional(),
      messages: z
        .array(ChatMessageSchema, { error: 'messages must be an array of chat messages' })
        .min(1, 'messages must hold at least one message')
        .max(limits.maxMessages, `messages holds at most ${limits.maxMessages} messages`),
      max_tokens: maxTokens.nullish(),
      max_completion_tokens: maxTokens.nullish(),
      temperature: z.number().min(0, 'must be between 0 and 2').max(2, 'must be between 0 and 2').nullish(),
      top_p: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').nullish(),
      stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
      user: z.string().max(256).optional(),
      metadata: MetadataSchema.optional(),
      priority: PrioritySchema.optional(),
      tools: z
        .array(ToolDefinitionSchema, { error: 'tools must be an array of function tools' })
        .max(MAX_TOOLS, `tools holds at most ${MAX_TOOLS} tools`)
        .nullish(),
      tool_choice: ToolChoiceSchema.nullish(),
      // How the answer is shaped rather than what the job is; validated with the rest, so a bad one stores nothing.
      stream: z.boolean({ error: 'stream must be a boolean' }).nullish(),
      stream_options: z.object({ include_usage: z.boolean({ error: 'include_usage must be a boolean' }).optional() }).nullish(),
      n: z
        .number({ error: 'n must be an integer' })
        .int('n must be an integer')
        .min(1, 'n must be at least 1')
        .max(1, 'n > 1 is not supported: Conveyor generates one choice per job')
        .nullish(),
      /** A webhook for this job alone; the SSRF guard checks the destination. */
      callback_url: z.string({ error: 'must be a URL' }).nullish(),
      /** A deadline for the job to start: still queued past it, it ends `expired`. Absolute, or seconds from now. */
      expires_at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset' }).nullish(),
      expires_in: z
        .number({ error: 'must be a whole number of seconds' })
        .int('must be a whole number of seconds')
        .min(1, 'must be at least 1')
        .max(30 * 86_400, 'must be at most 30 days (2592000)')
        .nullish(),
    })
    .superRefine(toolsAreConsistent)
    .superRefine((request, ctx) => {
      if (request.expires_at != null && request.expires_in != null) {
        ctx.addIssue({ code: 'custom', path: ['expires_in'], message: 'give expires_at or expires_in, not both' });
      }
    })
    .superRefine(rejectUnstorableText);
}

/** Tool names are unique, and `tool_choice` only makes sense with tools and only names one of them (as OpenAI checks). */
function toolsAreConsistent(
  request: { tools?: Array<{ function: { name: string } }> | null; tool_choice?: z.infer<typeof ToolChoiceSchema> | null },
  ctx: z.RefinementCtx,
): void {
  const names = (request.tools ?? []).map((t) => t.function.name);
  const duplicate = names.findIndex((name, i) => names.indexOf(name) !== i);
  if (duplicate >= 0)
    ctx.addIssue({ code: 'custom', path: ['tools', duplicate, 'function', 'name'], message: `another tool is already named '${names[duplicate]}'` });
  const choice = request.tool_choice;
  if (choice == null || choice === 'none') return;
  if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: 'tool_choice needs tools' });
  else if (typeof choice === 'object' && !names.includes(choice.function.name)) {
    ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: `no tool is named '${choice.function.name}'` });
  }
}
export type ChatCompletionRequest = z.infer<ReturnType<typeof chatCompletionRequestSchema>>;
