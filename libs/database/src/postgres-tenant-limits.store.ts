import type { PostgresClient } from './postgres.client';
import type { StoredTenantLimits, TenantLimitsStore } from './tenant-limits-store.port';

interface LimitsRow {
  tenant_id: string;
  limits: unknown;
  updated_at: Date;
}

const toStored = (row: LimitsRow): StoredTenantLimits => ({ tenantId: row.tenant_id, limits: row.limits, updatedAt: row.updated_at });

/** TenantLimitsStore on PostgreSQL: one jsonb document per tenant in `tenant_limits`. */
export class PostgresTenantLimitsStore implements TenantLimitsStore {
  constructor(private readonly db: PostgresClient) {}

  async find(tenantId: string): Promise<StoredTenantLimits | null> {
    const [row] = await this.db.rows<LimitsRow>('SELECT tenant_id, limits, updated_at FROM tenant_limits WHERE tenant_id = $1', [tenantId]);
    return row ? toStored(row) : null;
  }

  async put(tenantId: string, limits: object): Promise<StoredTenantLimits | null> {
    const [row] = await this.db.rows<LimitsRow>(
      `INSERT INTO tenant_limits (tenant_id, limits, updated_at)
       SELECT $1, $2::jsonb, now() WHERE EXISTS (SELECT 1 FROM tenants WHERE id = $1)
       ON CONFLICT (tenant_id) DO UPDATE SET limits = EXCLUDED.limits, updated_at = now()
       RETURNING tenant_id, limits, updated_at`,
      [tenantId, JSON.stringify(limits)],
    );
    return row ? toStored(row) : null;
  }

  async changedSince(since: Date | null): Promise<StoredTenantLimits[]> {
    const rows = await this.db.rows<LimitsRow>(
      'SELECT tenant_id, limits, updated_at FROM tenant_limits WHERE $1::timestamptz IS NULL OR updated_at > $1::timestamptz ORDER BY updated_at',
      [since],
    );
    return rows.map(toStored);
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    const [row] = await this.db.rows<{ exists: boolean }>('SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1) AS exists', [tenantId]);
    return row?.exists === true;
  }
}
