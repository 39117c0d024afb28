import { z } from 'zod';
import { QUERY_PRIORITIES, priorityOfLevel } from './query-priority.util';

const PRIORITY_ERROR = 'must be "HIGH", "MEDIUM" or "LOW" (or the seed\'s 2, 1, 0)';

/**
 * Seed 002's `POST /v1/query` body (its GenerationRequest): `username` and `prompt` are required; `request_id` (the
 * job id when absent), `created_at` (when the request arrived) and `priority` (MEDIUM) are optional. `model` is an
 * addition (DEFAULT_MODEL when absent).
 */
export function queryRequestSchema(maxPromptChars: number) {
  return z.object({
    username: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(256, 'holds at most 256 characters'),
    request_id: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(256, 'holds at most 256 characters').optional(),
    prompt: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(maxPromptChars, `holds at most ${maxPromptChars} characters`),
    created_at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-02-01T12:00:00Z' }).optional(),
    priority: z
      .union([z.enum(QUERY_PRIORITIES), z.union([z.literal(2), z.literal(1), z.literal(0)]).transform(priorityOfLevel)], { error: PRIORITY_ERROR })
      .default('MEDIUM'),
    model: z.string({ error: 'must name a model or a group' }).min(1).max(256).optional(),
  });
}
export type QueryRequest = z.infer<ReturnType<typeof queryRequestSchema>>;
