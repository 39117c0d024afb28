import { z } from 'zod';
import { PRIORITY_MAX, PRIORITY_MIN, parsePriority, type RequestLimits } from '@conveyor/contracts';

/** Seed 001's defaults, applied when the request leaves a field out. */
export const GENERATE_DEFAULTS = { max_tokens: 512, temperature: 0.7, top_p: 0.9 } as const;

/**
 * The body of seed 001's `POST /generate`: a prompt and sampling settings, with the seed's defaults. `model` and
 * `priority` are Conveyor's additions (the default model, normal priority when left out); unknown fields are
 * ignored, as the seed's FastAPI model does.
 */
export function generateRequestSchema(limits: RequestLimits) {
  return z.object({
    prompt: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
    max_tokens: z
      .number({ error: 'must be an integer' })
      .int('must be an integer')
      .positive('must be at least 1')
      .max(limits.maxTokensCap, `must be at most ${limits.maxTokensCap}`)
      .default(Math.min(GENERATE_DEFAULTS.max_tokens, limits.maxTokensCap)),
    temperature: z
      .number({ error: 'must be a number' })
      .min(0, 'must be between 0 and 2')
      .max(2, 'must be between 0 and 2')
      .default(GENERATE_DEFAULTS.temperature),
    top_p: z.number({ error: 'must be a number' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(GENERATE_DEFAULTS.top_p),
    user_id: z.string({ error: 'must be a string' }).max(256).optional(),
    model: z.string().min(1).max(256).optional(),
    priority: z
      .union([z.string(), z.number()])
      .refine((p) => parsePriority(p) !== null, `must be "high", "normal" or "low", or an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX}`)
      .optional(),
  });
}
export type GenerateRequest = z.infer<ReturnType<typeof generateRequestSchema>>;
