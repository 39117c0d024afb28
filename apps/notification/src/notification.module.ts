import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@conveyor/config';
import { DatabaseModule } from '@conveyor/database';
import { MessagingModule, type ServiceRuntime } from '@conveyor/messaging';
import { WebhookFanoutService } from './delivery/webhook-fanout.service';
import { WebhookSenderService } from './delivery/webhook-sender.service';
import { TerminalEventsHandler } from './terminal-events.handler';
import { WebhookDeliveryHandler } from './webhook-delivery.handler';

@Module({})
export class NotificationModule {
  static forRoot(runtime: ServiceRuntime): DynamicModule {
    const { config } = runtime;
    return {
      module: NotificationModule,
      imports: [
        ConfigModule.forRoot(config),
        MessagingModule.forRoot(runtime.broker, { closeOnShutdown: runtime.ownsBroker }),
        DatabaseModule.forRoot({ url: runtime.databaseUrl, poolSize: config.database.poolSize, migrate: config.database.migrate, share: config.database.shared }),
      ],
      controllers: [TerminalEventsHandler, WebhookDeliveryHandler],
      providers: [WebhookFanoutService, WebhookSenderService],
    };
  }
}
