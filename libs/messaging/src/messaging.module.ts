import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { BROKER_CLIENT, type BrokerClient } from './broker-client.port';
import { MessagePublisher } from './message.publisher';

/**
 * Provides the broker client and the MessagePublisher. The client is built in the app's bootstrap, because
 * the app's transport strategy consumes through the same instance.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(broker: BrokerClient, options: { closeOnShutdown: boolean } = { closeOnShutdown: true }): DynamicModule {
    class BrokerLifecycle implements OnApplicationShutdown {
      async onApplicationShutdown(): Promise<void> {
        if (options.closeOnShutdown) await broker.close();
      }
    }
    return {
      module: MessagingModule,
      providers: [{ provide: BROKER_CLIENT, useValue: broker }, MessagePublisher, BrokerLifecycle],
      exports: [BROKER_CLIENT, MessagePublisher],
    };
  }
}
