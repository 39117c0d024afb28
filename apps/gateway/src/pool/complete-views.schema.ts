import { z } from 'zod';
import { ToolCallSchema } from '@conveyor/contracts';

/** The seed's message for a request no provider of the group (nor of its fallbacks) could serve. */
export const ALL_PROVIDERS_UNAVAILABLE = 'All providers unavailable';

/** `POST /complete` → 200: the text or the tool calls (exactly one is non-empty), and the job's real usage. */
export const CompleteResponseSchema = z.object({
  content: z.string(),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() }),
  tool_calls: z.array(ToolCallSchema),
});

/** `POST /complete` → 503, the seed's own error body. */
export const ProvidersUnavailableSchema = z.object({ error: z.literal(ALL_PROVIDERS_UNAVAILABLE) });

/** One line of `POST /complete/stream` (NDJSON). */
export const CompleteStreamLineSchema = z.union([
  z.object({ type: z.literal('chunk'), text: z.string() }),
  z.object({ type: z.literal('done') }),
  z.object({ type: z.literal('error'), message: z.string(), code: z.string().optional() }),
]);

export type CompleteResponse = z.infer<typeof CompleteResponseSchema>;
export type ProvidersUnavailableBody = z.infer<typeof ProvidersUnavailableSchema>;
export type CompleteStreamLine = z.infer<typeof CompleteStreamLineSchema>;
