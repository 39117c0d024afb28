import { Inject, Injectable } from '@nestjs/common';
import { STATUS_OF_TERMINAL, occurredAt, presentJob, uuidv7, type TerminalEvent } from '@conveyor/contracts';
import {
  JOB_STORE,
  WEBHOOK_DELIVERY_STORE,
  WEBHOOK_ENDPOINT_STORE,
  type JobStore,
  type NewWebhookDelivery,
  type WebhookDeliveryStore,
  type WebhookEndpointStore,
} from '@conveyor/database';
import { MessagePublisher } from '@conveyor/messaging';
import { SubscriptionsCache, type WebhookEventPayload } from '@conveyor/webhooks';

/**
 * Turns one terminal job event into one delivery per target (each subscribed endpoint of the tenant, and the
 * job's own callback URL), then publishes one `webhook.delivery` message per delivery. Safe to run again for
 * a redelivered event: existing deliveries are kept (unique per target, job and event), and only deliveries
 * whose message was never confirmed are published again.
 */
@Injectable()
export class WebhookFanoutService {
  constructor(
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(WEBHOOK_ENDPOINT_STORE) private readonly endpoints: WebhookEndpointStore,
    @Inject(WEBHOOK_DELIVERY_STORE) private readonly deliveries: WebhookDeliveryStore,
    private readonly publisher: MessagePublisher,
    private readonly subscriptions: SubscriptionsCache,
  ) {}

  /**
   * Answers how many deliveries were published. Most jobs have no webhook at all, which is settled before the job
   * row is loaded, usually without a read: the event says whether the job has a callback URL, and the tenant's
   * subscriptions are cached (a narrow read each when not).
   */
  async fanOut(terminal: TerminalEvent): Promise<number> {
    const { job_id: jobId, tenant_id: tenantId } = terminal.event;
    const [subscribed, hasCallback] = await Promise.all([
      this.subscriptions.hasSubscribed(tenantId, terminal.type),
      terminal.event.has_callback ?? this.jobs.hasCallback(tenantId, jobId),
    ]);
    // Without targets, a delivery left undispatched by an earlier try belongs to an endpoint since removed or
    // disabled: it is not sent.
    if (!subscribed && !hasCallback) return 0;
    // Terminal events are published after their row is written, so the row shows this end — unless the event is a
    // stale redelivery of an end that lost to another (a cancel that raced a completion): nothing is sent for it.
    const job = await this.jobs.findForTenant(tenantId, jobId);
    if (!job || job.status !== STATUS_OF_TERMINAL[terminal.type]) return 0;
    const data = presentJob(job);
    const delivery = (endpointId: string | null): NewWebhookDelivery => {
      const id = uuidv7();
      const webhookId = `msg_${id.replace(/-/g, '')}`;
      const payload: WebhookEventPayload = { id: webhookId, type: terminal.type, created_at: occurredAt(terminal), data };
      return {
        id,
        tenantId,
        endpointId,
        callbackUrl: endpointId ? null : job.callbackUrl!,
        callbackSecret: endpointId ? null : job.callbackSecret!,
        jobId,
        eventType: terminal.type,
        webhookId,
        payload: JSON.stringify(payload),
      };
    };
    const targets = (subscribed ? await this.endpoints.subscribed(tenantId, terminal.type) : []).map((e) => delivery(e.id));
    if (job.callbackUrl && job.callbackSecret) targets.push(delivery(null));
    await this.deliveries.createMany(targets);
    const pending = await this.deliveries.undispatched(jobId, terminal.type);
    for (const d of pending) {
      await this.publisher.publish('webhook.delivery', { delivery_id: d.id, job_id: jobId, tenant_id: tenantId });
      await this.deliveries.markDispatched(d.id);
    }
    return pending.length;
  }
}
