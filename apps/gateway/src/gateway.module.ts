import { Module } from '@nestjs/common';
import { HttpEdgeModule } from '@conveyor/http';
import { StreamModule } from '@conveyor/stream';
import { ApiDocsModule } from './api-docs/api-docs.module';
import { AdminModule } from './admin/admin.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { AuthModule } from './auth/auth.module';
import { CompatModule } from './compat/compat.module';
import { ConsoleModule } from './console/console.module';
import { EmbeddingsModule } from './embeddings/embeddings.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { ModelsModule } from './models/models.module';
import { OpenAiModule } from './openai/openai.module';
import { UsageModule } from './usage/usage.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The public HTTP API: each area is a feature module of its own; job streams come from @conveyor/stream, the seeds'
 * own routes from the compat module, the API's documentation (`/openapi.json`, `/docs`) from api-docs, and the web
 * console (`/console`) from console.
 */
@Module({
  imports: [
    HttpEdgeModule,
    AuthModule,
    JobsModule,
    OpenAiModule,
    EmbeddingsModule,
    StreamModule,
    WebhooksModule,
    UsageModule,
    AnalyticsModule,
    ModelsModule,
    HealthModule,
    CompatModule,
    ApiDocsModule,
    AdminModule,
    ConsoleModule,
  ],
})
export class GatewayModule {}
