import type { ApiKeyGrant } from '@conveyor/config';
import { IsNull, type DataSource } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { TenantEntity } from './entities/tenant.entity';
import type { TenantKeyStore } from './tenant-key-store.port';

/** TenantKeyStore on PostgreSQL. Only key hashes are stored; the keys themselves never reach the database. */
export class TypeOrmTenantKeyStore implements TenantKeyStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Upserts in one transaction. Rows are written in a fixed order (sorted), so replicas bootstrapping the
   * same configuration at once wait on each other instead of deadlocking. A key that moved to another
   * tenant in the configuration moves in the database too; a revoked key stays revoked.
   */
  async bootstrap(grants: ApiKeyGrant[]): Promise<void> {
    if (grants.length === 0) return;
    const tenants = [...new Set(grants.map((g) => g.tenantId))].sort();
    const keys = [...grants].sort((a, b) => a.keyHash.localeCompare(b.keyHash));
    await this.dataSource.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(TenantEntity)
        .values(tenants.map((id) => ({ id })))
        .orIgnore()
        .execute();
      await manager
        .createQueryBuilder()
        .insert()
        .into(ApiKeyEntity)
        .values(keys.map((g) => ({ keyHash: g.keyHash, tenantId: g.tenantId, label: g.label })))
        .orUpdate(['tenant_id', 'label'], ['key_hash'], { skipUpdateIfNoValuesChanged: true })
        .execute();
    });
  }

  async tenantForKeyHash(keyHash: string): Promise<string | null> {
    const key = await this.dataSource
      .getRepository(ApiKeyEntity)
      .findOne({ select: { tenantId: true }, where: { keyHash, revokedAt: IsNull() } });
    return key?.tenantId ?? null;
  }
}
