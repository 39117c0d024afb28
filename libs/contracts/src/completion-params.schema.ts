import { z } from 'zod';
import { ToolChoiceSchema, ToolDefinitionSchema } from './tool.schema';

/**
 * What makes a job an embeddings job: its user messages are the inputs, in order, and the worker embeds them
 * instead of generating (`POST /v1/embeddings`).
 */
export const EmbeddingParamsSchema = z.object({
  dimensions: z.number().int().positive().optional(),
});
export type EmbeddingParams = z.infer<typeof EmbeddingParamsSchema>;

/** Sampling parameters and the offered tools, which a job carries from the request to the provider. */
export const CompletionParamsSchema = z.object({
  max_tokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop: z.array(z.string()).max(4).optional(),
  user: z.string().max(256).optional(),
  tools: z.array(ToolDefinitionSchema).optional(),
  tool_choice: ToolChoiceSchema.optional(),
  embedding: EmbeddingParamsSchema.optional(),
});
export type CompletionParams = z.infer<typeof CompletionParamsSchema>;

export const UsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];
