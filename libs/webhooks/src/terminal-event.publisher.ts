import { Injectable } from '@nestjs/common';
import { webhookRoutingKey, type TerminalEvent } from '@conveyor/contracts';
import { MessagePublisher } from '@conveyor/messaging';
import { SubscriptionsCache } from './subscriptions.cache';

/**
 * Publishes a job's terminal event, and routes it to the notification service only when it may have a webhook to
 * send: the job has a callback URL (or it is not known whether it has one), or its tenant has an endpoint
 * subscribed to the event type. The tenant's subscriptions are cached as the notification service caches them
 * (dropped on every `webhook.endpoints_changed`), so the two decide alike, and most jobs' ends go nowhere near it.
 */
@Injectable()
export class TerminalEventPublisher {
  constructor(
    private readonly publisher: MessagePublisher,
    private readonly subscriptions: SubscriptionsCache,
  ) {}

  /** `replyTo`: the routing key of a gateway replica waiting for this end. */
  async publish(terminal: TerminalEvent, replyTo?: string): Promise<void> {
    const { tenant_id: tenantId, has_callback: hasCallback } = terminal.event;
    const hooks = hasCallback !== false || (await this.subscriptions.hasSubscribed(tenantId, terminal.type));
    const cc = [...(replyTo ? [replyTo] : []), ...(hooks ? [webhookRoutingKey(terminal.type)] : [])];
    await this.publisher.publish(terminal.type, terminal.event as never, { cc });
  }
}
