import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@conveyor/config';
import { MessagingModule, type ServiceRuntime } from '@conveyor/messaging';
import { TerminalEventsHandler } from './terminal-events.handler';

@Module({})
export class NotificationModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    return {
      module: NotificationModule,
      imports: [ConfigModule.forRoot(runtime.config), MessagingModule.forRoot(runtime.broker, { closeOnShutdown: runtime.ownsBroker })],
      controllers: [TerminalEventsHandler],
    };
  }
}
