import { z } from 'zod';
import { decodeEmbedding } from './embedding-vector.util';
import type { EmbeddingEncoding } from './embedding-request.schema';
import type { JobResult } from './job-events.schema';

export const EmbeddingUsageSchema = z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() });

/** OpenAI's answer to `POST /v1/embeddings`: one vector per input, in order; base64 is little-endian float32. */
export const EmbeddingListViewSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      object: z.literal('embedding'),
      index: z.number().int(),
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  usage: EmbeddingUsageSchema,
});
export type EmbeddingListView = z.infer<typeof EmbeddingListViewSchema>;

/** A finished embeddings job in OpenAI's shape; `model` is the name the caller asked for, as for chat completions. */
export function presentEmbeddings(model: string, result: JobResult, encoding: EmbeddingEncoding): EmbeddingListView {
  return {
    object: 'list',
    data: (result.embeddings ?? []).map((encoded, index) => ({
      object: 'embedding',
      index,
      embedding: encoding === 'base64' ? encoded : decodeEmbedding(encoded),
    })),
    model,
    usage: { prompt_tokens: result.usage.prompt_tokens, total_tokens: result.usage.total_tokens },
  };
}
