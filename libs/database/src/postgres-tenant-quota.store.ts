import type { PostgresClient } from './postgres.client';
import type { StreamLease, TenantQuotaStore, WindowVerdict } from './tenant-quota-store.port';

/**
 * TenantQuotaStore on PostgreSQL, the state every gateway and streaming replica already shares with transactions
 * (RabbitMQ has no counters, and a replica's memory is not shared). A lease is counted and inserted under a
 * transaction-scoped advisory lock per tenant: under READ COMMITTED a conditional INSERT alone would let two
 * replicas both see a count below the cap. Window counters need no lock: the upsert's row lock serialises them.
 */
export class PostgresTenantQuotaStore implements TenantQuotaStore {
  constructor(private readonly db: PostgresClient) {}

  acquireStreamLease(lease: StreamLease, cap: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.rows(`SELECT pg_advisory_xact_lock(hashtext('conveyor.stream_leases'), hashtext($1))`, [lease.tenantId]);
      await tx.count('DELETE FROM stream_leases WHERE tenant_id = $1 AND expires_at <= now()', [lease.tenantId]);
      const inserted = await tx.count(
        `INSERT INTO stream_leases (id, tenant_id, holder, expires_at)
         SELECT $1, $2, $3, now() + $4 * interval '1 millisecond'
         WHERE (SELECT count(*) FROM stream_leases WHERE tenant_id = $2) < $5`,
        [lease.id, lease.tenantId, lease.holder, lease.ttlMs, cap],
      );
      return inserted === 1;
    });
  }

  async renewStreamLeases(ids: readonly string[], ttlMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.count(`UPDATE stream_leases SET expires_at = now() + $2 * interval '1 millisecond' WHERE id = ANY($1::uuid[])`, [ids, ttlMs]);
  }

  async releaseStreamLeases(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.count('DELETE FROM stream_leases WHERE id = ANY($1::uuid[])', [ids]);
  }

  async takeFromWindow(tenantId: string, action: string, limit: number, windowMs: number): Promise<WindowVerdict> {
    const [row] = await this.db.rows<{ count: number | null; retry_after_s: number }>(
      `WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) * 1000 / $4) * $4 / 1000.0) AS start),
       counted AS (
         INSERT INTO tenant_rate_windows (tenant_id, action, window_start, count)
         SELECT $1, $2, w.start, 1 FROM w
         ON CONFLICT (tenant_id, action, window_start) DO UPDATE SET count = tenant_rate_windows.count + 1
           WHERE tenant_rate_windows.count < $3
         RETURNING count)
       SELECT (SELECT count FROM counted) AS count,
              greatest(1, ceil(extract(epoch FROM w.start + $4 * interval '1 millisecond' - now())))::int AS retry_after_s
       FROM w`,
      [tenantId, action, limit, windowMs],
    );
    if (row?.count == null) return { allowed: false, retryAfterS: row?.retry_after_s ?? Math.ceil(windowMs / 1000) };
    // The first count of a window: the tenant's earlier windows are spent, and go.
    if (row.count === 1) {
      await this.db.count(`DELETE FROM tenant_rate_windows WHERE tenant_id = $1 AND action = $2 AND window_start < now() - $3 * interval '1 millisecond'`, [
        tenantId,
        action,
        windowMs,
      ]);
    }
    return { allowed: true };
  }
}
