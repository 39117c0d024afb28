import type { TenantAnalytics } from '@conveyor/database';
import type { AnalyticsQuery } from './analytics-query.schema';
import type { AnalyticsView } from './analytics-view.schema';

export function presentAnalytics(query: AnalyticsQuery, analytics: TenantAnalytics): AnalyticsView {
  return {
    object: 'analytics',
    since: query.since.toISOString(),
    bucket: query.bucket,
    series: analytics.series.map((p) => ({
      at: p.at.toISOString(),
      requests: p.requests,
      completed: p.completed,
      failed: p.failed,
      prompt_tokens: p.promptTokens,
      completion_tokens: p.completionTokens,
    })),
    bands: analytics.bands.map((b) => ({ priority: b.priority, jobs: b.jobs, latency_ms: b.latencyMs, queue_wait_ms: b.queueWaitMs })),
    errors: analytics.errors,
  };
}
