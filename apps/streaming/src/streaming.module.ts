import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from '@conveyor/config';
import { DatabaseModule } from '@conveyor/database';
import { MessagingModule, type ServiceRuntime } from '@conveyor/messaging';
import { OpenAiExceptionFilter } from '../../gateway/src/errors/openai-exception.filter';
import { JobEventRouter } from './stream/job-event.router';
import { JobStreamController } from './stream/job-stream.controller';
import { StreamKeyResolver } from './stream-key.resolver';
import { StreamingController } from './streaming.controller';

/** The streaming service: SSE relays of job events, on its own routed queue and the shared database. */
@Module({})
export class StreamingModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    const { config } = runtime;
    return {
      module: StreamingModule,
      imports: [
        ConfigModule.forRoot(config),
        MessagingModule.forRoot(runtime.broker, { closeOnShutdown: runtime.ownsBroker }),
        DatabaseModule.forRoot({ url: runtime.databaseUrl, poolSize: config.database.poolSize, migrate: config.database.migrate, share: config.database.shared }),
      ],
      controllers: [StreamingController, JobStreamController],
      providers: [JobEventRouter, StreamKeyResolver, { provide: APP_FILTER, useClass: OpenAiExceptionFilter }],
    };
  }
}
