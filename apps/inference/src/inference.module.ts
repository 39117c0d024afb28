import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@conveyor/config';
import { DatabaseModule } from '@conveyor/database';
import { MessagingModule, type ServiceRuntime } from '@conveyor/messaging';
import { JobRequestedHandler } from './job-requested.handler';
import { JobRunner } from './job-runner.service';
import { LLM_PROVIDER } from './providers/llm-provider.port';
import { SimulatedProvider } from './providers/simulated.provider';

@Module({})
export class InferenceModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    const { config } = runtime;
    return {
      module: InferenceModule,
      imports: [
        ConfigModule.forRoot(config),
        MessagingModule.forRoot(runtime.broker, { closeOnShutdown: runtime.ownsBroker }),
        DatabaseModule.forRoot({ url: runtime.databaseUrl, poolSize: Math.min(config.database.poolSize, 4), migrate: false }),
      ],
      controllers: [JobRequestedHandler],
      providers: [JobRunner, { provide: LLM_PROVIDER, useValue: new SimulatedProvider(config.simulated) }],
    };
  }
}
