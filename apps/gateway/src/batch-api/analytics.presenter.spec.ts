import { AnalyticsViewSchema } from './batch-api-views.schema';
import { presentAnalytics } from './analytics.presenter';

describe('presentAnalytics', () => {
  it("answers the seed's fields and each priority's wait and batches from the tenant's activity", () => {
    const view = presentAnalytics({
      bands: [
        { band: 'high', requests: 4, meanWaitMs: 212.345, batches: 2, batchedRequests: 4 },
        { band: 'normal', requests: 1, meanWaitMs: 1003, batches: 1, batchedRequests: 1 },
        { band: 'low', requests: 0, meanWaitMs: null, batches: 0, batchedRequests: 0 },
      ],
      perDay: [
        { date: '2025-01-27', count: 2 },
        { date: '2025-01-28', count: 3 },
      ],
    });
    expect(AnalyticsViewSchema.strict().parse(view)).toEqual({
      total_requests: 5,
      high_priority: 4,
      medium_priority: 1,
      low_priority: 0,
      request_count_over_time: [
        { date: '2025-01-27', count: 2 },
        { date: '2025-01-28', count: 3 },
      ],
      priority_distribution: [
        { name: 'High', value: 4 },
        { name: 'Medium', value: 1 },
        { name: 'Low', value: 0 },
      ],
      total_batches: 3,
      per_priority: [
        { priority: 'HIGH', requests: 4, mean_wait_ms: 212.3, batches: 2, mean_batch_size: 2 },
        { priority: 'MEDIUM', requests: 1, mean_wait_ms: 1003, batches: 1, mean_batch_size: 1 },
        { priority: 'LOW', requests: 0, mean_wait_ms: null, batches: 0, mean_batch_size: null },
      ],
    });
  });
});
