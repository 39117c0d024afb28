import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CONVEYOR_CONFIG, ConfigModule, type ConveyorConfig } from '@conveyor/config';
import { DatabaseModule } from '@conveyor/database';
import { MessagingModule, type ServiceRuntime } from '@conveyor/messaging';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyService } from './auth/api-key.service';
import { OpenAiExceptionFilter } from './errors/openai-exception.filter';
import { HealthController } from './health/health.controller';
import { CompletionsController } from './jobs/completions.controller';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { UnacceptedJobsReaper } from './jobs/unaccepted-jobs.reaper';
import { SubmitRateLimiter } from './jobs/submit-rate.limiter';
import { ModelsController } from './models/models.controller';
import { ChatCompletionStreamService } from './openai/chat-completion-stream.service';
import { JobCompletionWaiter } from './openai/job-completion.waiter';
import { OpenAiCompletionsController } from './openai/openai-completions.controller';
import { JobEventRouter } from '../../streaming/src/stream/job-event.router';
import { JobStreamController } from '../../streaming/src/stream/job-stream.controller';
import { StreamKeyResolver } from '../../streaming/src/stream-key.resolver';
import { TracingInterceptor } from './tracing.interceptor';
import { UsageController } from './usage/usage.controller';
import { DestinationValidator } from './webhooks/destination.validator';
import { JobCallbackService } from './webhooks/job-callback.service';
import { WebhookDeliveriesController } from './webhooks/webhook-deliveries.controller';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

@Module({})
export class GatewayModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    const { config } = runtime;
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        MessagingModule.forRoot(runtime.broker, { closeOnShutdown: runtime.ownsBroker }),
        DatabaseModule.forRoot({ url: runtime.databaseUrl, poolSize: config.database.poolSize, migrate: config.database.migrate, share: config.database.shared }),
      ],
      controllers: [CompletionsController, OpenAiCompletionsController, JobStreamController, JobsController, ModelsController, UsageController, WebhooksController, WebhookDeliveriesController, HealthController],
      providers: [
        JobsService,
        UnacceptedJobsReaper,
        { provide: SubmitRateLimiter, useFactory: (c: ConveyorConfig) => new SubmitRateLimiter(c), inject: [CONVEYOR_CONFIG] },
        JobEventRouter,
        StreamKeyResolver,
        JobCompletionWaiter,
        ChatCompletionStreamService,
        WebhooksService,
        JobCallbackService,
        DestinationValidator,
        ApiKeyService,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: OpenAiExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: TracingInterceptor },
      ],
    };
  }
}
