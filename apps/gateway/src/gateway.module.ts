import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ConfigModule } from '@conveyor/config';
import { DatabaseModule } from '@conveyor/database';
import { MessagingModule, type ServiceRuntime } from '@conveyor/messaging';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyService } from './auth/api-key.service';
import { OpenAiExceptionFilter } from './errors/openai-exception.filter';
import { HealthController } from './health/health.controller';
import { CompletionsController } from './jobs/completions.controller';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { TracingInterceptor } from './tracing.interceptor';

@Module({})
export class GatewayModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    const { config } = runtime;
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        MessagingModule.forRoot(runtime.broker, { closeOnShutdown: runtime.ownsBroker }),
        DatabaseModule.forRoot({ url: runtime.databaseUrl, poolSize: config.database.poolSize, migrate: config.database.migrate }),
      ],
      controllers: [CompletionsController, JobsController, HealthController],
      providers: [
        JobsService,
        ApiKeyService,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: OpenAiExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: TracingInterceptor },
      ],
    };
  }
}
