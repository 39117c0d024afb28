import { z } from 'zod';

/**
 * A bound of the window: an ISO 8601 timestamp with an offset (`2026-03-01T12:00:00Z`), or a bare date
 * (`2026-03-01`), which means that day's midnight UTC.
 */
const Instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO 8601 date or date-time, e.g. 2026-03-01 or 2026-03-01T12:00:00Z' })
  .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value));

/**
 * Query string of `GET /v1/usage`: `since` (inclusive) and `until` (exclusive) bound when the counted jobs
 * ended; either may be left out. A window that ends before it starts is a 400 rather than an empty answer, as
 * it is always a mistake.
 */
export const UsageQuerySchema = z
  .object({ since: Instant.optional(), until: Instant.optional() })
  .refine((q) => q.since === undefined || q.until === undefined || q.since < q.until, {
    path: ['until'],
    message: 'must be later than since',
  });
export type UsageQuery = z.infer<typeof UsageQuerySchema>;
