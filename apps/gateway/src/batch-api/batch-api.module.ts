import { Module } from '@nestjs/common';
import { DatabaseModule, JOB_STATS_STORE, JOB_STORE } from '@conveyor/database';
import { JobsModule } from '../jobs/jobs.module';
import { TenantSettingsModule } from '../tenant-settings/tenant-settings.module';
import { AnalyticsController } from './analytics.controller';
import { ChatHistoryController } from './chat-history.controller';
import { QueryController } from './query.controller';
import { SettingsController } from './settings.controller';

/** Seed 002's batch API: `/v1/query`, `/v1/chat`, `/v1/settings`, `/v1/analytics`, over the job pipeline and the tenant's settings. */
@Module({
  imports: [JobsModule, TenantSettingsModule, DatabaseModule.forFeature([JOB_STORE, JOB_STATS_STORE])],
  controllers: [QueryController, ChatHistoryController, SettingsController, AnalyticsController],
})
export class BatchApiModule {}
