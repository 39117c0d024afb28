import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { uuidv7 } from '@conveyor/contracts';
import {
  TENANT_QUOTA_STORE,
  WEBHOOK_DELIVERY_STORE,
  WEBHOOK_ENDPOINT_STORE,
  type WebhookDeliveryRecord,
  type WebhookDeliveryStore,
  type WebhookEndpointRecord,
  type WebhookEndpointStore,
  type TenantQuotaStore,
} from '@conveyor/database';
import { MessagePublisher } from '@conveyor/messaging';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { generateSigningSecret, SecretBox } from '@conveyor/webhooks';
import { DestinationValidator } from './destination.validator';
import type { WebhookEndpointRequest } from './webhook-endpoint.schema';

/** The window manual replays are counted in. */
const REPLAY_WINDOW_MS = 60_000;

/**
 * The webhook API's use cases. Every lookup is scoped by tenant, so another tenant's endpoint or delivery
 * is a 404 exactly like one that does not exist. Signing secrets are generated here, sealed before they are
 * stored, and answered only by create and rotate. Each job event is POSTed once per endpoint and a replay POSTs
 * again, so both are capped per tenant (across replicas, in PostgreSQL): endpoints, and replays per minute.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);
  private readonly box: SecretBox;
  private readonly caps: { endpoints: number; replaysPerMinute: number };

  constructor(
    @Inject(WEBHOOK_ENDPOINT_STORE) private readonly endpoints: WebhookEndpointStore,
    @Inject(WEBHOOK_DELIVERY_STORE) private readonly deliveries: WebhookDeliveryStore,
    @Inject(CONVEYOR_CONFIG) config: ConveyorConfig,
    private readonly destinations: DestinationValidator,
    private readonly publisher: MessagePublisher,
    @Inject(TENANT_QUOTA_STORE) private readonly quotas: TenantQuotaStore,
  ) {
    this.box = new SecretBox(config.webhooks.secretKey);
    this.caps = { endpoints: config.webhooks.maxEndpointsPerTenant, replaysPerMinute: config.webhooks.replaysPerMinute };
  }

  async create(tenantId: string, request: WebhookEndpointRequest): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
    const url = await this.destinations.assertAllowed(request.url, 'url');
    const secret = generateSigningSecret();
    const endpoint = await this.endpoints.create(
      { id: uuidv7(), tenantId, url, description: request.description, eventTypes: [...new Set(request.event_types)], sealedSecret: this.box.seal(secret) },
      this.caps.endpoints,
    );
    if (!endpoint) {
      // Retry-After: a slot frees only when the tenant deletes an endpoint; a minute is a polite pace for asking again.
      throw new ConveyorException(
        ErrorCode.RateLimited,
        `This account already has ${this.caps.endpoints} webhook endpoints, the most allowed; delete one first.`,
        null,
        60,
      );
    }
    await this.announceChange(tenantId);
    return { endpoint, secret };
  }

  list(tenantId: string): Promise<WebhookEndpointRecord[]> {
    return this.endpoints.listForTenant(tenantId);
  }

  async get(tenantId: string, id: string): Promise<WebhookEndpointRecord> {
    return (await this.endpoints.findForTenant(tenantId, id)) ?? notFound('webhook', id);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    if (!(await this.endpoints.remove(tenantId, id))) notFound('webhook', id);
    await this.announceChange(tenantId);
  }

  async rotateSecret(tenantId: string, id: string): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
    const secret = generateSigningSecret();
    const endpoint = (await this.endpoints.replaceSecret(tenantId, id, this.box.seal(secret))) ?? notFound('webhook', id);
    return { endpoint, secret };
  }

  /**
   * Re-enables an endpoint disabled by a 410, once its owner has fixed the receiver. Only new events reach it:
   * deliveries that ended with the 410 stay dead, and can be replayed one by one.
   */
  async enable(tenantId: string, id: string): Promise<WebhookEndpointRecord> {
    const endpoint = (await this.endpoints.enable(tenantId, id)) ?? notFound('webhook', id);
    await this.announceChange(tenantId);
    return endpoint;
  }

  /**
   * Tells the notification replicas, which cache the tenant's subscriptions, that they changed. The change itself is
   * stored: a lost broadcast only delays it by the cache's few seconds, so it never fails the request.
   */
  private async announceChange(tenantId: string): Promise<void> {
    await this.publisher
      .publish('webhook.endpoints_changed', { tenant_id: tenantId })
      .catch((err: Error) => this.logger.warn(`webhook endpoints of a tenant changed, but the change was not broadcast: ${err.message}`));
  }

  async listDeliveries(tenantId: string, id: string, limit: number): Promise<WebhookDeliveryRecord[]> {
    await this.get(tenantId, id);
    return this.deliveries.listForEndpoint(tenantId, id, limit);
  }

  /** Makes the delivery due now with a fresh retry schedule, and hands it to the notification service. */
  async replay(tenantId: string, id: string, deliveryId: string): Promise<WebhookDeliveryRecord> {
    const verdict = await this.quotas.takeFromWindow(tenantId, 'webhook_replay', this.caps.replaysPerMinute, REPLAY_WINDOW_MS);
    if (!verdict.allowed) {
      throw new ConveyorException(
        ErrorCode.RateLimited,
        `Too many manual replays: at most ${this.caps.replaysPerMinute} a minute. Try again in ${verdict.retryAfterS} s.`,
        null,
        verdict.retryAfterS,
      );
    }
    const delivery = (await this.deliveries.replay(tenantId, id, deliveryId)) ?? notFound('delivery', deliveryId);
    await this.publisher.publish('webhook.delivery', { delivery_id: delivery.id, job_id: delivery.jobId, tenant_id: tenantId });
    return delivery;
  }
}

function notFound(what: 'webhook' | 'delivery', id: string): never {
  const param = what === 'webhook' ? 'webhook_id' : 'delivery_id';
  throw new ConveyorException(ErrorCode.WebhookNotFound, `No ${what} found with id '${id.slice(0, 64)}'.`, param);
}
