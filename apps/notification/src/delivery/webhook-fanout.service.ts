import { Inject, Injectable } from '@nestjs/common';
import { uuidv7 } from '@conveyor/contracts';
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
import type { WebhookEventPayload } from '@conveyor/webhooks';
// The gateway's presenter is the one definition of the job's public shape; the webhook carries exactly that.
import { presentJob } from '../../../gateway/src/jobs/job.presenter';
import { jobAsOfEvent, occurredAt, type TerminalEvent } from './job-snapshot.util';

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
  ) {}

  /**
   * Answers how many deliveries were published. Most jobs have no webhook at all: two narrow reads (the tenant's
   * subscribed endpoints, whether the job has a callback) settle that before the job row is loaded.
   */
  async fanOut(terminal: TerminalEvent): Promise<number> {
    const { job_id: jobId, tenant_id: tenantId } = terminal.event;
    const [subscribed, hasCallback] = await Promise.all([this.endpoints.hasSubscribed(tenantId, terminal.type), this.jobs.hasCallback(tenantId, jobId)]);
    // Without targets, a delivery left undispatched by an earlier try belongs to an endpoint since removed or
    // disabled: it is not sent.
    if (!subscribed && !hasCallback) return 0;
    const stored = await this.jobs.findForTenant(tenantId, jobId);
    const job = stored ? jobAsOfEvent(stored, terminal) : null;
    if (!job) return 0;
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
