import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { TenantId } from '../auth/tenant.decorator';
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
    @Query() query: Record<string, unknown>,
  ): Promise<{ object: 'list'; data: WebhookDeliveryView[] }> {
    return { object: 'list', data: (await this.webhooks.listDeliveries(tenantId, id, query)).map(presentDelivery) };
  }

  @Post(':deliveryId/retry')
  @HttpCode(202)
  async retry(@TenantId() tenantId: string, @Param('id') id: string, @Param('deliveryId') deliveryId: string): Promise<WebhookDeliveryView> {
    return presentDelivery(await this.webhooks.replay(tenantId, id, deliveryId));
  }
}
