import type { TenantActivity } from '@conveyor/database';
import type { AnalyticsView } from './batch-api-views.schema';
import { priorityOfBand } from './query-priority.util';

const DISPLAY = { HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low' } as const;

/** Seed 002's analytics from the tenant's jobs: totals, per priority, per day, the distribution, and each band's mean wait. */
export function presentAnalytics(activity: TenantActivity): AnalyticsView {
  const count = (band: string) => activity.bands.find((b) => b.band === band)?.requests ?? 0;
  return {
    total_requests: activity.bands.reduce((sum, b) => sum + b.requests, 0),
    high_priority: count('high'),
    medium_priority: count('normal'),
    low_priority: count('low'),
    request_count_over_time: activity.perDay,
    priority_distribution: activity.bands.map((b) => ({ name: DISPLAY[priorityOfBand(b.band)], value: b.requests })),
    total_batches: activity.bands.reduce((sum, b) => sum + b.batches, 0),
    per_priority: activity.bands.map((b) => ({
      priority: priorityOfBand(b.band),
      requests: b.requests,
      mean_wait_ms: b.meanWaitMs === null ? null : round1(b.meanWaitMs),
      batches: b.batches,
      mean_batch_size: b.batches === 0 ? null : round1(b.batchedRequests / b.batches),
    })),
  };
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
