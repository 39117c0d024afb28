import { isUuid } from '@conveyor/contracts';
import type { PostgresClient } from './postgres.client';
import type { NewWebhookEndpoint, WebhookEndpointRecord, WebhookEndpointStore } from './webhook-endpoint-store.port';

interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  event_types: string[];
  secret: string;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** WebhookEndpointStore on PostgreSQL. Ids that are not UUIDs never reach SQL (a uuid cast error would be a 500). */
export class PostgresWebhookEndpointStore implements WebhookEndpointStore {
  constructor(private readonly db: PostgresClient) {}

  /**
   * Counted and inserted under a transaction-scoped advisory lock per tenant, so replicas registering at once
   * cannot both see a count below the cap (READ COMMITTED would let a conditional INSERT alone overshoot).
   */
  create(endpoint: NewWebhookEndpoint, maxPerTenant: number): Promise<WebhookEndpointRecord | null> {
    return this.db.transaction(async (tx) => {
      await tx.rows(`SELECT pg_advisory_xact_lock(hashtext('conveyor.webhook_endpoints'), hashtext($1))`, [endpoint.tenantId]);
      const [row] = await tx.rows<EndpointRow>(
        `INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, secret, enabled, disabled_reason, created_at, updated_at)
         SELECT $1, $2, $3, $4, $5::text[], $6, true, NULL, now(), now()
         WHERE (SELECT count(*) FROM webhook_endpoints WHERE tenant_id = $2) < $7
         RETURNING *`,
        [endpoint.id, endpoint.tenantId, endpoint.url, endpoint.description, endpoint.eventTypes, endpoint.sealedSecret, maxPerTenant],
      );
      return row ? toRecord(row) : null;
    });
  }

  async listForTenant(tenantId: string): Promise<WebhookEndpointRecord[]> {
    return (await this.db.rows<EndpointRow>('SELECT * FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY id DESC', [tenantId])).map(toRecord);
  }

  async findForTenant(tenantId: string, id: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.rows<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
    return row ? toRecord(row) : null;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return (await this.db.count('DELETE FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2', [id, tenantId])) > 0;
  }

  async replaceSecret(tenantId: string, id: string, sealedSecret: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.rows<EndpointRow>('UPDATE webhook_endpoints SET secret = $3, updated_at = now() WHERE id = $1 AND tenant_id = $2 RETURNING *', [
      id,
      tenantId,
      sealedSecret,
    ]);
    return row ? toRecord(row) : null;
  }

  async subscribed(tenantId: string, eventType: string): Promise<WebhookEndpointRecord[]> {
    const rows = await this.db.rows<EndpointRow>(
      'SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND enabled AND event_types @> ARRAY[$2]::text[] ORDER BY id ASC',
      [tenantId, eventType],
    );
    return rows.map(toRecord);
  }

  async hasSubscribed(tenantId: string, eventType: string): Promise<boolean> {
    const rows = await this.db.rows('SELECT 1 FROM webhook_endpoints WHERE tenant_id = $1 AND enabled AND event_types @> ARRAY[$2]::text[] LIMIT 1', [
      tenantId,
      eventType,
    ]);
    return rows.length > 0;
  }

  async find(id: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.rows<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1', [id]);
    return row ? toRecord(row) : null;
  }

  async disable(id: string, reason: string): Promise<void> {
    if (!isUuid(id)) return;
    await this.db.count('UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1', [id, reason]);
  }

  async enable(tenantId: string, id: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.rows<EndpointRow>(
      'UPDATE webhook_endpoints SET enabled = true, disabled_reason = NULL, updated_at = now() WHERE id = $1 AND tenant_id = $2 RETURNING *',
      [id, tenantId],
    );
    return row ? toRecord(row) : null;
  }
}

function toRecord(row: EndpointRow): WebhookEndpointRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    sealedSecret: row.secret,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
