import { Controller, Get, Inject } from '@nestjs/common';
import { JOB_STATS_STORE, type JobStatsStore } from '@conveyor/database';
import { ApiResponse, ApiSummary, ApiTag, TenantId, ValidQuery } from '@conveyor/http';
import { AnalyticsQuerySchema, type AnalyticsQuery } from './analytics-query.schema';
import { AnalyticsSchema, type AnalyticsView } from './analytics-view.schema';
import { presentAnalytics } from './analytics.presenter';

/**
 * `GET /v1/analytics/series`: the calling tenant's jobs over a window, aggregated (requests and tokens per bucket,
 * latency and queue wait per band, provider errors per model and deployment). Only ever the caller's own tenant.
 */
@Controller('v1/analytics')
@ApiTag('Analytics')
export class AnalyticsController {
  constructor(@Inject(JOB_STATS_STORE) private readonly stats: JobStatsStore) {}

  @Get('series')
  @ApiSummary("The caller's jobs in a window, aggregated for charts")
  @ApiResponse({ status: 200, description: 'The aggregates.', schema: AnalyticsSchema })
  async get(@TenantId() tenantId: string, @ValidQuery(AnalyticsQuerySchema) query: AnalyticsQuery): Promise<AnalyticsView> {
    return presentAnalytics(query, await this.stats.tenantAnalytics(tenantId, query.since, query.bucket));
  }
}
