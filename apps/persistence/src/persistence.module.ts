import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@conveyor/config';
import { DatabaseModule } from '@conveyor/database';
import { MessagingModule, type ServiceRuntime } from '@conveyor/messaging';
import { DeadJobsHandler } from './dead-jobs.handler';
import { JobDeltasHandler } from './job-deltas.handler';
import { JobEventsHandler } from './job-events.handler';

@Module({})
export class PersistenceModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    const { config } = runtime;
    return {
      module: PersistenceModule,
      imports: [
        ConfigModule.forRoot(config),
        MessagingModule.forRoot(runtime.broker, { closeOnShutdown: runtime.ownsBroker }),
        DatabaseModule.forRoot({ url: runtime.databaseUrl, poolSize: config.database.poolSize, migrate: config.database.migrate, share: config.database.shared }),
      ],
      controllers: [JobEventsHandler, DeadJobsHandler, JobDeltasHandler],
    };
  }
}
