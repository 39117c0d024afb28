import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { BROKER_CLIENT, type BrokerClient } from './broker-client.port';
import { MessagePublisher } from './message.publisher';

/**
 * Provides the broker client and the MessagePublisher to a whole app, and closes the client when the app
 * shuts down. The client is built before Nest starts (see the bootstrap kit), because the app's transport
 * strategies consume through the same instance.
 */
@Global()
@Module({})
export class MessagingModule implements OnApplicationShutdown {
  constructor(@Inject(BROKER_CLIENT) private readonly broker: BrokerClient) {}

  static forRoot(broker: BrokerClient): DynamicModule {
    return {
      module: MessagingModule,
      providers: [{ provide: BROKER_CLIENT, useValue: broker }, MessagePublisher],
      exports: [BROKER_CLIENT, MessagePublisher],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broker.close();
  }
}
