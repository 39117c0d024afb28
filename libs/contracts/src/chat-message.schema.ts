import { z } from 'zod';
import { ToolCallSchema } from './tool.schema';

export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

const TextPart = z.object({ type: z.literal('text'), text: z.string() });

/**
 * One OpenAI-style chat message. Content is a string, or an array of text parts; an assistant turn that called
 * tools carries `tool_calls` and may have no content (null), and a `tool` turn answers one call by its
 * `tool_call_id` — both needed to replay a tool conversation to Anthropic and Gemini, which pair them up.
 */
export const ChatMessageSchema = z
  .object({
    role: z.enum(CHAT_ROLES, { error: `role must be one of: ${CHAT_ROLES.join(', ')}` }),
    content: z.union([z.string(), z.array(TextPart).min(1)], { error: 'content must be a string or an array of text parts' }).nullish(),
    name: z.string().max(256).optional(),
    tool_call_id: z.string().min(1).max(256).optional(),
    tool_calls: z.array(ToolCallSchema).min(1).max(128).optional(),
  })
  .superRefine((message, ctx) => {
    if (message.tool_calls !== undefined && message.role !== 'assistant') {
      ctx.addIssue({ code: 'custom', path: ['tool_calls'], message: 'only assistant messages carry tool_calls' });
    }
    if (message.content == null && !(message.role === 'assistant' && message.tool_calls)) {
      ctx.addIssue({ code: 'custom', path: ['content'], message: 'content must be a string or an array of text parts' });
    }
    if (message.role === 'tool' && message.tool_call_id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tool_call_id'], message: 'a tool message must name the tool_call_id it answers' });
    }
  });
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** The text of a message, whichever form its content took (empty for an assistant turn that only called tools). */
export function messageText(message: ChatMessage): string {
  if (message.content == null) return '';
  return typeof message.content === 'string' ? message.content : message.content.map((p) => p.text).join('');
}
