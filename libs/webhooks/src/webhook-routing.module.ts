import { Module } from '@nestjs/common';
import { DatabaseModule, WEBHOOK_ENDPOINT_STORE } from '@conveyor/database';
import { SubscriptionsCache } from './subscriptions.cache';
import { TerminalEventPublisher } from './terminal-event.publisher';

/** What a service that publishes jobs' terminal events, or fans them out, needs to know of tenants' webhooks. */
@Module({
  imports: [DatabaseModule.forFeature([WEBHOOK_ENDPOINT_STORE])],
  providers: [SubscriptionsCache, TerminalEventPublisher],
  exports: [SubscriptionsCache, TerminalEventPublisher],
})
export class WebhookRoutingModule {}
