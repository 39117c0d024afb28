import type { PostgresClient } from './postgres.client';
import type { StreamLease, TenantQuotaStore, WindowVerdict } from './tenant-quota-store.port';

/**
 * TenantQuotaStore on PostgreSQL, the state every gateway and streaming replica already shares with transactions
 * (RabbitMQ has no counters, and a replica's memory is not shared). Leases are counted and inserted under a
 * transaction-scoped advisory lock per tenant: under READ COMMITTED a conditional INSERT alone would let two
 * replicas both see a count below the cap. Window counters need no lock: the upsert's row lock serialises them.
 */
export class PostgresTenantQuotaStore implements TenantQuotaStore {
  constructor(private readonly db: PostgresClient) {}

  acquireStreamLeases(leases: readonly StreamLease[], cap: number): Promise<boolean[]> {
    if (leases.length === 0) return Promise.resolve([]);
    const tenants = [...new Set(leases.map((l) => l.tenantId))].sort();
    return this.db.transaction(async (tx) => {
      // One lock per tenant, taken in a fixed order so two replicas' batches cannot deadlock.
      for (const tenant of tenants) await tx.rows(`SELECT pg_advisory_xact_lock(hashtext('conveyor.stream_leases'), hashtext($1))`, [tenant]);
      await tx.count('DELETE FROM stream_leases WHERE tenant_id = ANY($1::text[]) AND expires_at <= now()', [tenants]);
      // A statement after the locks: its snapshot holds every lease committed before them.
      const granted = await tx.rows<{ id: string }>(
        `WITH wanted AS (
           SELECT w.*, row_number() OVER (PARTITION BY w.tenant_id ORDER BY w.ord) AS nth
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[]) WITH ORDINALITY AS w(id, tenant_id, holder, ttl_ms, ord)
         ), held AS (
           SELECT tenant_id, count(*) AS n FROM stream_leases WHERE tenant_id = ANY($2::text[]) GROUP BY tenant_id
         )
         INSERT INTO stream_leases (id, tenant_id, holder, expires_at)
         SELECT w.id, w.tenant_id, w.holder, now() + w.ttl_ms * interval '1 millisecond'
           FROM wanted w LEFT JOIN held h ON h.tenant_id = w.tenant_id
          WHERE coalesce(h.n, 0) + w.nth <= $5
         RETURNING id`,
        [leases.map((l) => l.id), leases.map((l) => l.tenantId), leases.map((l) => l.holder), leases.map((l) => l.ttlMs), cap],
      );
      const ids = new Set(granted.map((r) => r.id));
      return leases.map((l) => ids.has(l.id));
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
