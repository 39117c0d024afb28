import { z } from 'zod';
import { MetadataSchema, PrioritySchema } from './chat-completion-request.schema';
import { rejectUnstorableText } from './storable-text.util';

/** OpenAI's ceiling on the inputs of one embeddings request. */
export const MAX_EMBEDDING_INPUTS = 2048;
/**
 * The largest `dimensions` accepted: above every embedding model's output today (3072), and a bound on a job's
 * size, since its vectors travel in its terminal event and are stored on its row.
 */
export const MAX_EMBEDDING_DIMENSIONS = 4096;

export const EMBEDDING_ENCODINGS = ['float', 'base64'] as const;
export type EmbeddingEncoding = (typeof EMBEDDING_ENCODINGS)[number];

const TokenArray = z.array(z.number().int());

/**
 * OpenAI's `input`: one string or an array of them, normalised to the array. Token arrays (OpenAI also takes
 * arrays of token ids) parse, so that they get a reason of their own rather than a shape error: a job carries
 * text, which every provider (Gemini too) can embed, and token ids are one tokenizer's.
 */
const Input = z
  .union([z.string(), z.array(z.string()), TokenArray, z.array(TokenArray)], {
    error: 'input must be a string or an array of strings',
  })
  .superRefine((input, ctx) => {
    const items: unknown[] = Array.isArray(input) ? input : [input];
    if (items.length === 0) return void ctx.addIssue({ code: 'custom', message: 'input must hold at least one string' });
    if (items.length > MAX_EMBEDDING_INPUTS) {
      return void ctx.addIssue({ code: 'custom', message: `input holds at most ${MAX_EMBEDDING_INPUTS} strings` });
    }
    if (items.some((item) => typeof item !== 'string')) {
      return void ctx.addIssue({ code: 'custom', message: 'token arrays are not supported: send the text itself' });
    }
    const empty = items.findIndex((item) => item === '');
    if (empty >= 0) ctx.addIssue({ code: 'custom', path: Array.isArray(input) ? [empty] : [], message: 'input must not contain empty strings' });
  })
  .transform((input) => (Array.isArray(input) ? input : [input]) as string[])
  .describe(`A string or an array of 1 to ${MAX_EMBEDDING_INPUTS} non-empty strings. OpenAI's token arrays are refused (400).`);

/**
 * The body of `POST /v1/embeddings`: OpenAI's embeddings request plus Conveyor's `priority` and `metadata`. `model`
 * may be left out for the catalogue's first embedding model. Unknown fields are ignored, as for chat completions.
 */
export const EmbeddingRequestSchema = z
  .object({
    input: Input,
    model: z.string().min(1).max(256).optional(),
    encoding_format: z.enum(EMBEDDING_ENCODINGS, { error: 'encoding_format must be "float" or "base64"' }).default('float'),
    dimensions: z
      .number({ error: 'dimensions must be an integer' })
      .int('dimensions must be an integer')
      .min(1, 'dimensions must be at least 1')
      .max(MAX_EMBEDDING_DIMENSIONS, `dimensions must be at most ${MAX_EMBEDDING_DIMENSIONS}`)
      .optional(),
    user: z.string().max(256).optional(),
    priority: PrioritySchema.optional(),
    metadata: MetadataSchema.optional(),
  })
  .superRefine(rejectUnstorableText);
export type EmbeddingRequest = z.infer<typeof EmbeddingRequestSchema>;
