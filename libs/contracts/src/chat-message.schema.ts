import { z } from 'zod';

export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

const TextPart = z.object({ type: z.literal('text'), text: z.string() });

/** One OpenAI-style chat message. Content is a string, or an array of text parts. */
export const ChatMessageSchema = z.object({
  role: z.enum(CHAT_ROLES, { error: `role must be one of: ${CHAT_ROLES.join(', ')}` }),
  content: z.union([z.string(), z.array(TextPart).min(1)], { error: 'content must be a string or an array of text parts' }),
  name: z.string().max(256).optional(),
  tool_call_id: z.string().max(256).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** The text of a message, whichever form its content took. */
export function messageText(message: ChatMessage): string {
  return typeof message.content === 'string' ? message.content : message.content.map((p) => p.text).join('');
}
