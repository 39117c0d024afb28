import { z } from 'zod';
import { PRIORITY_BANDS } from '@conveyor/contracts';
import { ANALYTICS_BUCKETS } from './analytics-query.schema';

const PercentilesSchema = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() });

/** `GET /v1/analytics/series`: the caller's jobs created in the window, aggregated for the console's charts. */
export const AnalyticsSchema = z.object({
  object: z.literal('analytics'),
  since: z.string(),
  bucket: z.enum(ANALYTICS_BUCKETS),
  /** One point per bucket that had jobs, oldest first; tokens of completed jobs. */
  series: z.array(
    z.object({
      at: z.string(),
      requests: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
      prompt_tokens: z.number().int(),
      completion_tokens: z.number().int(),
    }),
  ),
  /** Per band that had jobs: how many, end-to-end latency of completed jobs and queue wait of started jobs (ms). */
  bands: z.array(z.object({ priority: z.enum(PRIORITY_BANDS), jobs: z.number().int(), latency_ms: PercentilesSchema, queue_wait_ms: PercentilesSchema })),
  /** Failed provider calls per model and deployment, most first. */
  errors: z.array(z.object({ model: z.string(), deployment: z.string(), errors: z.number().int() })),
});
export type AnalyticsView = z.infer<typeof AnalyticsSchema>;
