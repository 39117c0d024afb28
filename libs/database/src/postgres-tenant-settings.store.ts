import type { PostgresClient, SqlExecutor } from './postgres.client';
import type { StoredTenantSettings, TenantSettingsChange, TenantSettingsStore } from './tenant-settings-store.port';

/** `updated_at` in microseconds since the epoch, 20 digits: a Date would drop the microseconds two changes may differ by. */
const VERSION = "lpad((EXTRACT(EPOCH FROM updated_at) * 1000000)::bigint::text, 20, '0') AS version";

interface KeyRow {
  deployment: string;
  key_last4: string;
  updated_at: Date;
}

/** TenantSettingsStore on PostgreSQL: `tenant_settings` (one jsonb band document per tenant) and `tenant_provider_keys`. */
export class PostgresTenantSettingsStore implements TenantSettingsStore {
  constructor(private readonly db: PostgresClient) {}

  find(tenantId: string): Promise<StoredTenantSettings> {
    return read(this.db, tenantId);
  }

  apply(tenantId: string, change: TenantSettingsChange): Promise<StoredTenantSettings> {
    return this.db.transaction(async (tx) => {
      // Every change moves updated_at, the version workers compare their cached keys against; bands are merged per
      // band in the statement, so two partial updates at once both land.
      await tx.count(
        `INSERT INTO tenant_settings (tenant_id, bands, updated_at) VALUES ($1, $2::jsonb, now())
           ON CONFLICT (tenant_id) DO UPDATE SET
             bands = tenant_settings.bands || (
               SELECT COALESCE(jsonb_object_agg(p.key, COALESCE(tenant_settings.bands -> p.key, '{}'::jsonb) || p.value), '{}'::jsonb)
                 FROM jsonb_each(EXCLUDED.bands) AS p),
             updated_at = now()`,
        [tenantId, JSON.stringify(change.bands ?? {})],
      );
      const key = change.providerKey;
      if (key?.sealed) {
        await tx.count(
          `INSERT INTO tenant_provider_keys (tenant_id, deployment, sealed_key, key_last4, updated_at) VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (tenant_id, deployment) DO UPDATE SET sealed_key = EXCLUDED.sealed_key, key_last4 = EXCLUDED.key_last4, updated_at = now()`,
          [tenantId, key.deployment, key.sealed, key.last4],
        );
      } else if (key) {
        await tx.count('DELETE FROM tenant_provider_keys WHERE tenant_id = $1 AND deployment = $2', [tenantId, key.deployment]);
      }
      return read(tx, tenantId);
    });
  }

  async sealedKeys(tenantId: string): Promise<{ keys: Map<string, string>; version: string | null }> {
    const [keys, settings] = await Promise.all([
      this.db.rows<{ deployment: string; sealed_key: string }>('SELECT deployment, sealed_key FROM tenant_provider_keys WHERE tenant_id = $1', [tenantId]),
      this.db.rows<{ version: string }>(`SELECT ${VERSION} FROM tenant_settings WHERE tenant_id = $1`, [tenantId]),
    ]);
    return { keys: new Map(keys.map((r) => [r.deployment, r.sealed_key])), version: settings[0]?.version ?? null };
  }
}

async function read(db: SqlExecutor, tenantId: string): Promise<StoredTenantSettings> {
  const [settings, keys] = await Promise.all([
    db.rows<{ bands: unknown; updated_at: Date; version: string }>(`SELECT bands, updated_at, ${VERSION} FROM tenant_settings WHERE tenant_id = $1`, [
      tenantId,
    ]),
    db.rows<KeyRow>('SELECT deployment, key_last4, updated_at FROM tenant_provider_keys WHERE tenant_id = $1 ORDER BY deployment', [tenantId]),
  ]);
  const providerKeys = keys.map((k) => ({ deployment: k.deployment, last4: k.key_last4, updatedAt: k.updated_at }));
  return { bands: settings[0]?.bands ?? {}, providerKeys, updatedAt: settings[0]?.updated_at ?? null, version: settings[0]?.version ?? null };
}
