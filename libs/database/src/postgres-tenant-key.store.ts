import type { ApiKeyGrant } from '@conveyor/config';
import type { PostgresClient } from './postgres.client';
import type { KeyOwner, TenantKeyStore } from './tenant-key-store.port';

/** TenantKeyStore on PostgreSQL. Only key hashes are stored; the keys themselves never reach the database. */
export class PostgresTenantKeyStore implements TenantKeyStore {
  constructor(private readonly db: PostgresClient) {}

  /**
   * Upserts in one transaction. Rows are written in a fixed order (sorted), so replicas bootstrapping the
   * same configuration at once wait on each other instead of deadlocking. A key that moved to another
   * tenant in the configuration moves in the database too; a revoked key stays revoked.
   */
  async bootstrap(grants: ApiKeyGrant[]): Promise<void> {
    if (grants.length === 0) return;
    const tenants = [...new Set(grants.map((g) => g.tenantId))].sort();
    const keys = [...grants].sort((a, b) => a.keyHash.localeCompare(b.keyHash));
    await this.db.transaction(async (tx) => {
      await tx.count('INSERT INTO tenants (id) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT (id) DO NOTHING', [tenants]);
      await tx.count(
        `INSERT INTO api_keys (key_hash, tenant_id, label)
         SELECT * FROM unnest($1::char(64)[], $2::text[], $3::text[])
         ON CONFLICT (key_hash) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, label = EXCLUDED.label
         WHERE (api_keys.tenant_id, api_keys.label) IS DISTINCT FROM (EXCLUDED.tenant_id, EXCLUDED.label)`,
        [keys.map((k) => k.keyHash), keys.map((k) => k.tenantId), keys.map((k) => k.label)],
      );
    });
  }

  async tenantForKeyHash(keyHash: string): Promise<string | null> {
    return (await this.ownerOfKeyHash(keyHash))?.tenantId ?? null;
  }

  async ownerOfKeyHash(keyHash: string): Promise<KeyOwner | null> {
    const [row] = await this.db.rows<{ id: string; tenant_id: string; disabled: boolean }>(
      `SELECT k.id, k.tenant_id, t.disabled_at IS NOT NULL AS disabled
       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
       WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [keyHash],
    );
    return row ? { keyId: row.id, tenantId: row.tenant_id, tenantDisabled: row.disabled } : null;
  }

  async markUsed(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length === 0) return;
    await this.db.count('UPDATE api_keys SET last_used_at = now() WHERE id = ANY($1::uuid[])', [keyIds]);
  }
}
