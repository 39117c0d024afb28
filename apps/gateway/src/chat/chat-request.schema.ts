import { z } from 'zod';
import { PRIORITY_MAX, PRIORITY_MIN, parsePriority } from '@conveyor/contracts';

/**
 * Seed 004's chat body: `message` (one user turn) and `priority`, an integer −10…10 (10 → high, 0 → normal, −10 →
 * low; ≥ 5 is high and ≤ −5 low) or a band's name. `model` is Conveyor's addition (the default model when left
 * out). Unknown fields are ignored.
 */
export const ChatRequestSchema = z.object({
  message: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
  priority: z
    .union([z.number(), z.string()], { error: `must be an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX}` })
    .refine((p) => parsePriority(p) !== null, `must be an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX}, or "high", "normal" or "low"`)
    .optional(),
  model: z.string().min(1).max(256).optional(),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;
