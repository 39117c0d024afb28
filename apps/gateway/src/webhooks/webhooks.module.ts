import { Module } from '@nestjs/common';
import { DatabaseModule, TENANT_QUOTA_STORE, WEBHOOK_DELIVERY_STORE, WEBHOOK_ENDPOINT_STORE } from '@conveyor/database';
import { DestinationValidator } from './destination.validator';
import { JobCallbackService } from './job-callback.service';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Tenants' webhook endpoints and delivery history; exports the `callback_url` check for the submit routes. */
@Module({
  imports: [DatabaseModule.forFeature([WEBHOOK_ENDPOINT_STORE, WEBHOOK_DELIVERY_STORE, TENANT_QUOTA_STORE])],
  controllers: [WebhooksController, WebhookDeliveriesController],
  providers: [WebhooksService, DestinationValidator, JobCallbackService],
  exports: [JobCallbackService],
})
export class WebhooksModule {}
