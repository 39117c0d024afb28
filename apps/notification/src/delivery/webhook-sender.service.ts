import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import type { WebhookDelivery } from '@conveyor/contracts';
import {
  WEBHOOK_DELIVERY_STORE,
  WEBHOOK_ENDPOINT_STORE,
  type WebhookDeliveryRecord,
  type WebhookDeliveryStore,
  type WebhookEndpointStore,
} from '@conveyor/database';
import { Outcome, type HandlerOutcome } from '@conveyor/messaging';
import { WebhookMetrics } from '@conveyor/metrics';
import { DestinationGuard, SecretBox, signWebhook } from '@conveyor/webhooks';
import { decideAfterAttempt } from './delivery-decision';
import { postWebhook, type AttemptResult } from './webhook-http.client';

/** How much longer than one attempt's timeout a lease lasts, so a live attempt never loses it. */
const LEASE_MARGIN_MS = 5_000;

/**
 * Makes one attempt of one delivery and decides what follows. The delivery is leased first, so a duplicate
 * message or a concurrent replica never sends it twice at once; a consumer killed mid-attempt leaves a lease
 * that expires, after which the redelivered message attempts again with the same `webhook-id`. Retries go
 * back through the broker (the `conveyor.webhooks.retry.<tier>` delay queues), so a failing receiver never
 * holds a consumer.
 */
@Injectable()
export class WebhookSenderService {
  private readonly logger = new Logger(WebhookSenderService.name);
  private readonly guard: DestinationGuard;
  private readonly box: SecretBox;

  constructor(
    @Inject(WEBHOOK_DELIVERY_STORE) private readonly deliveries: WebhookDeliveryStore,
    @Inject(WEBHOOK_ENDPOINT_STORE) private readonly endpoints: WebhookEndpointStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly metrics: WebhookMetrics,
  ) {
    this.guard = new DestinationGuard(config.webhooks.allowedHosts);
    this.box = new SecretBox(config.webhooks.secretKey);
  }

  async attempt(message: WebhookDelivery): Promise<HandlerOutcome> {
    const { timeoutMs, retryScheduleMs } = this.config.webhooks;
    const claim = await this.deliveries.claim(message.delivery_id, timeoutMs + LEASE_MARGIN_MS);
    if (claim.kind === 'missing' || claim.kind === 'finished') return Outcome.ack();
    if (claim.kind === 'not-due') return Outcome.retry('delivery not due yet', claim.waitMs);
    const { delivery, lockToken } = claim;
    const target = await this.targetOf(delivery);
    if (!target) {
      await this.deliveries.finish(delivery.id, lockToken, null, { status: 'dead', reason: 'endpoint_disabled' });
      this.metrics.attempted('dead');
      return Outcome.ack();
    }
    const at = new Date();
    const result = await this.send(target, delivery);
    const attempt = delivery.attempts + 1;
    const { outcome, deadLetter } = decideAfterAttempt(result, attempt - delivery.scheduleBase, retryScheduleMs);
    if (result.statusCode === 410 && delivery.endpointId) await this.endpoints.disable(delivery.endpointId, 'gone: the receiver answered 410');
    const record = { attempt, at: at.toISOString(), status_code: result.statusCode, latency_ms: result.latencyMs, error: result.error };
    if (!(await this.deliveries.finish(delivery.id, lockToken, record, outcome))) {
      this.logger.warn(`delivery ${delivery.id}: lease lost before the attempt was recorded`);
    }
    this.metrics.attempted(outcome.status === 'pending' ? 'retrying' : outcome.status);
    if (outcome.status === 'pending') return Outcome.retry(`webhook attempt ${attempt} failed`, outcome.retryInMs);
    if (outcome.status === 'dead' && deadLetter) return Outcome.deadLetter(`webhook delivery ${delivery.id}: ${outcome.reason}`);
    return Outcome.ack();
  }

  /** Where to send and the secret to sign with; null when the endpoint is gone or disabled. */
  private async targetOf(delivery: WebhookDeliveryRecord): Promise<{ url: string; secret: string } | null> {
    if (!delivery.endpointId) return { url: delivery.callbackUrl!, secret: this.box.open(delivery.callbackSecret!) };
    const endpoint = await this.endpoints.find(delivery.endpointId);
    if (!endpoint?.enabled) return null;
    return { url: endpoint.url, secret: this.box.open(endpoint.sealedSecret) };
  }

  /** Checks the destination again (DNS may have changed since registration), then posts to the checked address. */
  private async send(target: { url: string; secret: string }, delivery: WebhookDeliveryRecord): Promise<AttemptResult> {
    const verdict = await this.guard.check(target.url);
    if (!verdict.ok) return { statusCode: null, latencyMs: 0, retryAfterMs: null, error: 'blocked_destination' };
    const headers = signWebhook(target.secret, delivery.webhookId, delivery.payload);
    return postWebhook(verdict.url, verdict.pinned, { ...headers }, delivery.payload, this.config.webhooks.timeoutMs);
  }
}
