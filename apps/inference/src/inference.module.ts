import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@conveyor/config';
import { DatabaseModule } from '@conveyor/database';
import { MessagingModule, type ServiceRuntime } from '@conveyor/messaging';
import { JobRequestedHandler } from './job-requested.handler';
import { CancelRequestsListener } from './cancellation/cancel-requests.listener';
import { CancellationRegistry } from './cancellation/cancellation.registry';
import { JobRunner } from './job-runner.service';
import { ModelRouter } from './routing/model-router.service';
import { ProviderFactory } from './routing/provider.factory';

@Module({})
export class InferenceModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    const { config } = runtime;
    // Built here, before Nest starts, so a missing provider key ends start-up with a readable ConfigException.
    const providers = new ProviderFactory(config);
    return {
      module: InferenceModule,
      imports: [
        ConfigModule.forRoot(config),
        MessagingModule.forRoot(runtime.broker, { closeOnShutdown: runtime.ownsBroker }),
        DatabaseModule.forRoot({ url: runtime.databaseUrl, poolSize: Math.min(config.database.poolSize, 4), migrate: false, share: config.database.shared }),
      ],
      controllers: [JobRequestedHandler],
      providers: [JobRunner, ModelRouter, CancellationRegistry, CancelRequestsListener, { provide: ProviderFactory, useValue: providers }],
    };
  }
}
