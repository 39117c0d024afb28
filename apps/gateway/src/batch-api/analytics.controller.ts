import { Controller, Get, Inject } from '@nestjs/common';
import { JOB_STATS_STORE, type JobStatsStore } from '@conveyor/database';
import { ApiResponse, ApiSummary, ApiTag, TenantId } from '@conveyor/http';
import { AnalyticsViewSchema, type AnalyticsView } from './batch-api-views.schema';
import { presentAnalytics } from './analytics.presenter';

/** Seed 002's `GET /v1/analytics`, counted in SQL over the caller's jobs: per priority, per day, and in batches. */
@Controller('v1/analytics')
@ApiTag('Seed 002: batch API')
export class AnalyticsController {
  constructor(@Inject(JOB_STATS_STORE) private readonly stats: JobStatsStore) {}

  @Get()
  @ApiSummary("The caller's requests per priority and per day, its batches and each band's mean wait")
  @ApiResponse({ status: 200, description: 'The analytics.', schema: AnalyticsViewSchema })
  async get(@TenantId() tenantId: string): Promise<AnalyticsView> {
    return presentAnalytics(await this.stats.tenantActivity(tenantId));
  }
}
