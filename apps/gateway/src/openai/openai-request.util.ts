import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { parseOrThrow } from '../jobs/request-validation.util';

/**
 * The OpenAI request fields that shape the answer rather than the job: `stream`, `stream_options` and `n`.
 * They are checked before anything is stored, so a bad streaming request leaves no job behind.
 */
const ResponseShapeSchema = z.object({
  stream: z.boolean({ error: 'stream must be a boolean' }).nullish(),
  stream_options: z.object({ include_usage: z.boolean({ error: 'include_usage must be a boolean' }).optional() }).nullish(),
  n: z
    .number({ error: 'n must be an integer' })
    .int('n must be an integer')
    .min(1, 'n must be at least 1')
    .max(1, 'n > 1 is not supported: Conveyor generates one choice per job')
    .nullish(),
});

export interface ResponseShape {
  stream: boolean;
  includeUsage: boolean;
}

export function responseShapeOf(body: unknown): ResponseShape {
  const shape = parseOrThrow(ResponseShapeSchema, body);
  return { stream: shape.stream === true, includeUsage: shape.stream_options?.include_usage === true };
}

/**
 * The body with `X-Priority` applied when the body names no priority (the body wins, as the more specific).
 * A numeric header becomes a number, so `X-Priority: 7` means the same as `"priority": 7`.
 */
export function withHeaderPriority(request: FastifyRequest, body: unknown): unknown {
  const header = request.headers['x-priority'];
  if (typeof header !== 'string' || header.trim() === '') return body;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || 'priority' in body) return body;
  const value = header.trim();
  return { ...body, priority: /^-?\d+$/.test(value) ? Number(value) : value };
}
