import { z } from 'zod';
import {
  decodeEmbedding,
  EmbeddingUsageSchema,
  MAX_EMBEDDING_DIMENSIONS,
  MAX_EMBEDDING_INPUTS,
  rejectUnstorableText,
  type JobResult,
} from '@conveyor/contracts';
import { ChatRequestSchema } from './chat-request.schema';

/**
 * Seed 004's `POST /embeddings` body: `texts`, the batch, embedded in one job. The seed's README names the route
 * and not its body; `texts` is its batch, `model`, `priority` (the seed's integer, as for `/chat`) and `dimensions`
 * are as `POST /v1/embeddings` takes them.
 */
export const BatchEmbeddingsRequestSchema = z
  .object({
    texts: z
      .array(z.string({ error: 'must be a string' }).min(1, 'must not be empty'), { error: 'must be an array of strings' })
      .min(1, 'must hold at least one text')
      .max(MAX_EMBEDDING_INPUTS, `holds at most ${MAX_EMBEDDING_INPUTS} texts`),
    model: z.string().min(1).max(256).optional(),
    priority: ChatRequestSchema.shape.priority,
    dimensions: z
      .number()
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(MAX_EMBEDDING_DIMENSIONS, `must be at most ${MAX_EMBEDDING_DIMENSIONS}`)
      .optional(),
  })
  .superRefine(rejectUnstorableText);
export type BatchEmbeddingsRequest = z.infer<typeof BatchEmbeddingsRequestSchema>;

export const BatchEmbeddingsViewSchema = z.object({
  task_id: z.string(),
  model: z.string(),
  dimensions: z.number().int(),
  embeddings: z.array(z.array(z.number())),
  usage: EmbeddingUsageSchema,
});
export type BatchEmbeddingsView = z.infer<typeof BatchEmbeddingsViewSchema>;

/** The batch's vectors as plain float arrays, in the order of `texts`. */
export function presentBatchEmbeddings(taskId: string, model: string, result: JobResult): BatchEmbeddingsView {
  const embeddings = (result.embeddings ?? []).map(decodeEmbedding);
  return {
    task_id: taskId,
    model,
    dimensions: embeddings[0]?.length ?? 0,
    embeddings,
    usage: { prompt_tokens: result.usage.prompt_tokens, total_tokens: result.usage.total_tokens },
  };
}
