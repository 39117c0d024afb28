import { Module } from '@nestjs/common';
import { DatabaseModule, JOB_STATS_STORE } from '@conveyor/database';
import { AnalyticsController } from './analytics.controller';

/** The console's aggregate read: `GET /v1/analytics/series` (seed 002's `GET /v1/analytics` is its own route). */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STATS_STORE])],
  controllers: [AnalyticsController],
})
export class AnalyticsModule {}
