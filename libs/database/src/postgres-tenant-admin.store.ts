import type { AuditEntry } from './admin-audit-store.port';
import { insertAudit } from './admin-audit.sql';
import type { PostgresClient, SqlExecutor } from './postgres.client';
import type { ApiKeyRecord, Changed, NewApiKey, TenantAdminStore, TenantRecord } from './tenant-admin-store.port';

interface TenantRow {
  id: string;
  created_at: Date;
  disabled_at: Date | null;
  active_keys: number;
}

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string | null;
  label: string;
  source: 'config' | 'api';
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const TENANT_COLUMNS = `t.id, t.created_at, t.disabled_at,
  (SELECT count(*)::int FROM api_keys k WHERE k.tenant_id = t.id AND k.revoked_at IS NULL) AS active_keys`;
const KEY_COLUMNS = 'id, tenant_id, name, label, source, created_at, last_used_at, revoked_at';

const toTenant = (r: TenantRow): TenantRecord => ({ id: r.id, createdAt: r.created_at, disabledAt: r.disabled_at, activeKeys: r.active_keys });
const toKey = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  label: r.label,
  source: r.source,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** TenantAdminStore on PostgreSQL: `tenants` and `api_keys` (hashes only), each change with its `admin_audit` row. */
export class PostgresTenantAdminStore implements TenantAdminStore {
  constructor(private readonly db: PostgresClient) {}

  createTenant(id: string, audit: AuditEntry): Promise<TenantRecord | null> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.count('INSERT INTO tenants (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [id]);
      if (inserted === 0) return null;
      await insertAudit(tx, audit);
      return this.tenant(tx, id);
    });
  }

  async listTenants(limit: number, after?: string): Promise<TenantRecord[]> {
    const rows = await this.db.rows<TenantRow>(`SELECT ${TENANT_COLUMNS} FROM tenants t WHERE $1::text IS NULL OR t.id > $1 ORDER BY t.id LIMIT $2`, [
      after ?? null,
      limit,
    ]);
    return rows.map(toTenant);
  }

  findTenant(id: string): Promise<TenantRecord | null> {
    return this.tenant(this.db, id);
  }

  setDisabled(id: string, disabled: boolean, audit: AuditEntry): Promise<Changed<TenantRecord> | null> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.count(
        disabled
          ? 'UPDATE tenants SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL'
          : 'UPDATE tenants SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL',
        [id],
      );
      const record = await this.tenant(tx, id);
      if (!record) return null;
      if (changed > 0) await insertAudit(tx, audit);
      return { record, changed: changed > 0 };
    });
  }

  createKey(key: NewApiKey, audit: AuditEntry): Promise<ApiKeyRecord | null> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.rows<KeyRow>(
        `INSERT INTO api_keys (id, key_hash, tenant_id, label, name, source)
         SELECT $1, $2, $3, $4, $5, 'api' WHERE EXISTS (SELECT 1 FROM tenants WHERE id = $3)
         RETURNING ${KEY_COLUMNS}`,
        [key.id, key.keyHash, key.tenantId, key.label, key.name],
      );
      if (!row) return null;
      await insertAudit(tx, audit);
      return toKey(row);
    });
  }

  async listKeys(tenantId: string, status?: 'active' | 'revoked'): Promise<ApiKeyRecord[]> {
    const rows = await this.db.rows<KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1
       AND ($2::text IS NULL OR ($2 = 'active') = (revoked_at IS NULL))
       ORDER BY created_at DESC, id DESC`,
      [tenantId, status ?? null],
    );
    return rows.map(toKey);
  }

  async findKey(id: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.db.rows<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return row ? toKey(row) : null;
  }

  revokeKey(id: string, audit: AuditEntry): Promise<Changed<ApiKeyRecord> | null> {
    return this.db.transaction(async (tx) => {
      const [revoked] = await tx.rows<KeyRow>(`UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING ${KEY_COLUMNS}`, [id]);
      if (revoked) {
        await insertAudit(tx, { ...audit, details: { tenant: revoked.tenant_id, ...audit.details } });
        return { record: toKey(revoked), changed: true };
      }
      const [row] = await tx.rows<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [id]);
      return row ? { record: toKey(row), changed: false } : null;
    });
  }

  private async tenant(db: SqlExecutor, id: string): Promise<TenantRecord | null> {
    const [row] = await db.rows<TenantRow>(`SELECT ${TENANT_COLUMNS} FROM tenants t WHERE t.id = $1`, [id]);
    return row ? toTenant(row) : null;
  }
}
