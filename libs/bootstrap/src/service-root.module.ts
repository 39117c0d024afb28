import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { ConfigModule, type ConveyorConfig } from '@conveyor/config';
import { DatabaseModule, type DatabaseModuleOptions } from '@conveyor/database';
import { MessagingModule, type BrokerClient } from '@conveyor/messaging';
import { MetricsModule, type MetricsRegistry } from '@conveyor/metrics';

/** The root of every app: the validated config, the process's broker client, its one pool and its metrics registry, then the features. */
@Module({})
export class ServiceRootModule {
  static forRoot(options: {
    config: ConveyorConfig;
    broker: BrokerClient;
    database: DatabaseModuleOptions;
    metrics: MetricsRegistry;
    features: NonNullable<ModuleMetadata['imports']>;
  }): DynamicModule {
    return {
      module: ServiceRootModule,
      imports: [
        ConfigModule.forRoot(options.config),
        MessagingModule.forRoot(options.broker),
        DatabaseModule.forRoot(options.database),
        MetricsModule.forRoot(options.metrics),
        ...options.features,
      ],
    };
  }
}
