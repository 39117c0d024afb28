import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { TenantId, ValidBody } from '@conveyor/http';
import { WebhookEndpointSchema, type WebhookEndpointRequest } from './webhook-endpoint.schema';
import { presentEndpoint, type WebhookEndpointView } from './webhook.presenter';
import { WebhooksService } from './webhooks.service';

/** A tenant's webhook endpoints: register (the secret is shown once), list, show, delete, rotate the secret, re-enable. */
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(201)
  async create(@TenantId() tenantId: string, @ValidBody(WebhookEndpointSchema) body: WebhookEndpointRequest): Promise<WebhookEndpointView> {
    const { endpoint, secret } = await this.webhooks.create(tenantId, body);
    return presentEndpoint(endpoint, secret);
  }

  @Get()
  async list(@TenantId() tenantId: string): Promise<{ object: 'list'; data: WebhookEndpointView[] }> {
    return { object: 'list', data: (await this.webhooks.list(tenantId)).map((e) => presentEndpoint(e)) };
  }

  @Get(':id')
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<WebhookEndpointView> {
    return presentEndpoint(await this.webhooks.get(tenantId, id));
  }

  @Delete(':id')
  @HttpCode(200)
  async remove(@TenantId() tenantId: string, @Param('id') id: string): Promise<{ object: 'webhook_endpoint'; id: string; deleted: true }> {
    await this.webhooks.remove(tenantId, id);
    return { object: 'webhook_endpoint', id, deleted: true };
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  async rotateSecret(@TenantId() tenantId: string, @Param('id') id: string): Promise<WebhookEndpointView> {
    const { endpoint, secret } = await this.webhooks.rotateSecret(tenantId, id);
    return presentEndpoint(endpoint, secret);
  }

  @Post(':id/enable')
  @HttpCode(200)
  async enable(@TenantId() tenantId: string, @Param('id') id: string): Promise<WebhookEndpointView> {
    return presentEndpoint(await this.webhooks.enable(tenantId, id));
  }
}
