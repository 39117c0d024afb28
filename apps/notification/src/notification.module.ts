import { Module } from '@nestjs/common';
import { DatabaseModule, JOB_STORE, WEBHOOK_DELIVERY_STORE, WEBHOOK_ENDPOINT_STORE } from '@conveyor/database';
import { WebhookRoutingModule } from '@conveyor/webhooks';
import { WebhookFanoutService } from './delivery/webhook-fanout.service';
import { WebhookSenderService } from './delivery/webhook-sender.service';
import { TerminalEventsHandler } from './terminal-events.handler';
import { WebhookDeliveryHandler } from './webhook-delivery.handler';

/** The notification service: terminal job events in, signed webhooks out. */
@Module({
  imports: [DatabaseModule.forFeature([JOB_STORE, WEBHOOK_ENDPOINT_STORE, WEBHOOK_DELIVERY_STORE]), WebhookRoutingModule],
  controllers: [TerminalEventsHandler, WebhookDeliveryHandler],
  providers: [WebhookFanoutService, WebhookSenderService],
})
export class NotificationModule {}
