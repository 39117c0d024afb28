import { z } from 'zod';

export const ANALYTICS_BUCKETS = ['minute', 'hour', 'day'] as const;
/** How long a window each bucket size may cover: at most a few hundred points per series. */
const MAX_WINDOW_MS = { minute: 6 * 3_600_000, hour: 14 * 86_400_000, day: 366 * 86_400_000 } as const;
const DEFAULT_WINDOW_MS = { minute: 3_600_000, hour: 86_400_000, day: 30 * 86_400_000 } as const;

/**
 * Query string of `GET /v1/analytics/series`: `bucket` (minute, hour or day; default hour) and `since` (an ISO 8601
 * date-time with an offset; default one hour, one day or thirty days back for the bucket). A window too long for
 * its bucket is a 400, not a truncated answer.
 */
export const AnalyticsQuerySchema = z
  .object({
    bucket: z.enum(ANALYTICS_BUCKETS, { error: `must be one of: ${ANALYTICS_BUCKETS.join(', ')}` }).default('hour'),
    since: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-03-01T12:00:00Z' })
      .transform((v) => new Date(v))
      .optional(),
  })
  .transform(({ bucket, since }) => ({ bucket, since: since ?? new Date(Date.now() - DEFAULT_WINDOW_MS[bucket]) }))
  .refine((q) => Date.now() - q.since.getTime() <= MAX_WINDOW_MS[q.bucket], {
    path: ['since'],
    message: 'is too far back for the bucket: at most 6 hours of minutes, 14 days of hours or 366 days of days',
  });
export type AnalyticsQuery = z.infer<typeof AnalyticsQuerySchema>;
