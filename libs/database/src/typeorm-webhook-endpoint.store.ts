import { isUuid } from '@conveyor/contracts';
import { ArrayContains, type DataSource, type Repository } from 'typeorm';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import type { NewWebhookEndpoint, WebhookEndpointRecord, WebhookEndpointStore } from './webhook-endpoint-store.port';

/** WebhookEndpointStore on PostgreSQL. Ids that are not UUIDs never reach SQL (a uuid cast error would be a 500). */
export class TypeOrmWebhookEndpointStore implements WebhookEndpointStore {
  private readonly endpoints: Repository<WebhookEndpointEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.endpoints = dataSource.getRepository(WebhookEndpointEntity);
  }

  async create(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointRecord> {
    const now = new Date();
    const row = this.endpoints.create({
      id: endpoint.id,
      tenantId: endpoint.tenantId,
      url: endpoint.url,
      description: endpoint.description,
      eventTypes: endpoint.eventTypes,
      secret: endpoint.sealedSecret,
      enabled: true,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.endpoints.insert(row);
    return toRecord(row);
  }

  async listForTenant(tenantId: string): Promise<WebhookEndpointRecord[]> {
    return (await this.endpoints.find({ where: { tenantId }, order: { id: 'DESC' } })).map(toRecord);
  }

  async findForTenant(tenantId: string, id: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.endpoints.findOneBy({ id, tenantId });
    return row ? toRecord(row) : null;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return ((await this.endpoints.delete({ id, tenantId })).affected ?? 0) > 0;
  }

  async replaceSecret(tenantId: string, id: string, sealedSecret: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const { affected } = await this.endpoints.update({ id, tenantId }, { secret: sealedSecret, updatedAt: new Date() });
    return affected ? this.findForTenant(tenantId, id) : null;
  }

  async subscribed(tenantId: string, eventType: string): Promise<WebhookEndpointRecord[]> {
    const rows = await this.endpoints.find({ where: { tenantId, enabled: true, eventTypes: ArrayContains([eventType]) }, order: { id: 'ASC' } });
    return rows.map(toRecord);
  }

  async hasSubscribed(tenantId: string, eventType: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM webhook_endpoints WHERE tenant_id = $1 AND enabled AND event_types @> ARRAY[$2]::text[] LIMIT 1',
      [tenantId, eventType],
    );
    return rows.length > 0;
  }

  async find(id: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.endpoints.findOneBy({ id });
    return row ? toRecord(row) : null;
  }

  async disable(id: string, reason: string): Promise<void> {
    await this.endpoints.update({ id }, { enabled: false, disabledReason: reason, updatedAt: new Date() });
  }

  async enable(tenantId: string, id: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const { affected } = await this.endpoints.update({ id, tenantId }, { enabled: true, disabledReason: null, updatedAt: new Date() });
    return affected ? this.findForTenant(tenantId, id) : null;
  }
}

function toRecord(row: WebhookEndpointEntity): WebhookEndpointRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    sealedSecret: row.secret,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
