import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { uuidv7 } from '@conveyor/contracts';
import {
  WEBHOOK_DELIVERY_STORE,
  WEBHOOK_ENDPOINT_STORE,
  type WebhookDeliveryRecord,
  type WebhookDeliveryStore,
  type WebhookEndpointRecord,
  type WebhookEndpointStore,
} from '@conveyor/database';
import { MessagePublisher } from '@conveyor/messaging';
import { generateSigningSecret, SecretBox } from '@conveyor/webhooks';
import { GatewayErrorCode, GatewayException } from '../errors/gateway.exception';
import { storeCall } from '../errors/store-call.util';
import { parseOrThrow } from '../jobs/request-validation.util';
import { DestinationValidator } from './destination.validator';
import { DeliveryListQuerySchema, WebhookEndpointSchema } from './webhook-endpoint.schema';

/**
 * The webhook API's use cases. Every lookup is scoped by tenant, so another tenant's endpoint or delivery
 * is a 404 exactly like one that does not exist. Signing secrets are generated here, sealed before they are
 * stored, and answered only by create and rotate. A database error is a 503 with Retry-After, as for jobs.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);
  private readonly box: SecretBox;

  constructor(
    @Inject(WEBHOOK_ENDPOINT_STORE) private readonly endpoints: WebhookEndpointStore,
    @Inject(WEBHOOK_DELIVERY_STORE) private readonly deliveries: WebhookDeliveryStore,
    @Inject(CONVEYOR_CONFIG) config: ConveyorConfig,
    private readonly destinations: DestinationValidator,
    private readonly publisher: MessagePublisher,
  ) {
    this.box = new SecretBox(config.webhooks.secretKey);
  }

  async create(tenantId: string, body: unknown): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
    const request = parseOrThrow(WebhookEndpointSchema, body);
    const url = await this.destinations.assertAllowed(request.url, 'url');
    const secret = generateSigningSecret();
    const endpoint = await this.store(() =>
      this.endpoints.create({
        id: uuidv7(),
        tenantId,
        url,
        description: request.description,
        eventTypes: [...new Set(request.event_types)],
        sealedSecret: this.box.seal(secret),
      }),
    );
    return { endpoint, secret };
  }

  list(tenantId: string): Promise<WebhookEndpointRecord[]> {
    return this.store(() => this.endpoints.listForTenant(tenantId));
  }

  async get(tenantId: string, id: string): Promise<WebhookEndpointRecord> {
    return (await this.store(() => this.endpoints.findForTenant(tenantId, id))) ?? notFound('webhook', id);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    if (!(await this.store(() => this.endpoints.remove(tenantId, id)))) notFound('webhook', id);
  }

  async rotateSecret(tenantId: string, id: string): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
    const secret = generateSigningSecret();
    const endpoint = (await this.store(() => this.endpoints.replaceSecret(tenantId, id, this.box.seal(secret)))) ?? notFound('webhook', id);
    return { endpoint, secret };
  }

  /**
   * Re-enables an endpoint disabled by a 410, once its owner has fixed the receiver. Only new events reach it:
   * deliveries that ended with the 410 stay dead, and can be replayed one by one.
   */
  async enable(tenantId: string, id: string): Promise<WebhookEndpointRecord> {
    return (await this.store(() => this.endpoints.enable(tenantId, id))) ?? notFound('webhook', id);
  }

  async listDeliveries(tenantId: string, id: string, query: unknown): Promise<WebhookDeliveryRecord[]> {
    const { limit } = parseOrThrow(DeliveryListQuerySchema, query, 'query string');
    await this.get(tenantId, id);
    return this.store(() => this.deliveries.listForEndpoint(tenantId, id, limit));
  }

  /** Makes the delivery due now with a fresh retry schedule, and hands it to the notification service. */
  async replay(tenantId: string, id: string, deliveryId: string): Promise<WebhookDeliveryRecord> {
    const delivery = (await this.store(() => this.deliveries.replay(tenantId, id, deliveryId))) ?? notFound('delivery', deliveryId);
    await this.publisher.publish('webhook.delivery', { delivery_id: delivery.id, job_id: delivery.jobId, tenant_id: tenantId });
    return delivery;
  }

  private store<T>(call: () => Promise<T>): Promise<T> {
    return storeCall(this.logger, 'webhook store', call);
  }
}

function notFound(what: 'webhook' | 'delivery', id: string): never {
  const param = what === 'webhook' ? 'webhook_id' : 'delivery_id';
  throw new GatewayException(GatewayErrorCode.WebhookNotFound, `No ${what} found with id '${id.slice(0, 64)}'.`, param);
}
