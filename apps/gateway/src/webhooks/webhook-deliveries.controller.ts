import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { TenantId, ValidQuery } from '@conveyor/http';
import { DeliveryListQuerySchema, type DeliveryListQuery } from './webhook-endpoint.schema';
import { presentDelivery, type WebhookDeliveryView } from './webhook.presenter';
import { WebhooksService } from './webhooks.service';

/** An endpoint's delivery history (every attempt, its status code and latency, the next try) and replay. */
@Controller('v1/webhooks/:id/deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  async list(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @ValidQuery(DeliveryListQuerySchema) { limit }: DeliveryListQuery,
  ): Promise<{ object: 'list'; data: WebhookDeliveryView[] }> {
    return { object: 'list', data: (await this.webhooks.listDeliveries(tenantId, id, limit)).map(presentDelivery) };
  }

  @Post(':deliveryId/retry')
  @HttpCode(202)
  async retry(@TenantId() tenantId: string, @Param('id') id: string, @Param('deliveryId') deliveryId: string): Promise<WebhookDeliveryView> {
    return presentDelivery(await this.webhooks.replay(tenantId, id, deliveryId));
  }
}
