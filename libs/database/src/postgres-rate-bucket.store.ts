import type { PostgresClient } from './postgres.client';
import type { BucketCheck, BucketDemand, RateBucketStore, TokenReservation } from './rate-bucket-store.port';

/** A reservation whose job row never appeared after this long belongs to a refused submit. */
const ORPHAN_AFTER = '10 minutes';
/** A bucket untouched this long has refilled completely: deleting it changes nothing. */
const IDLE_AFTER = '1 day';

/**
 * The level of a bucket now: what it held, refilled for the time since, capped at its size. `now()` is the
 * statement's start, which a statement that waited for the row lock may find before the row's `updated_at`; such a
 * check refills nothing rather than a negative amount, and never moves `updated_at` back.
 */
const REFILLED = (b: string, capacity: string, perSecond: string) =>
  `LEAST(${capacity}, ${b}.tokens + ${perSecond} * GREATEST(0, extract(epoch FROM now() - ${b}.updated_at)::float8))`;

/**
 * RateBucketStore on PostgreSQL. `take` is one statement: it locks the request's bucket rows in key order (so two
 * checks sharing buckets queue instead of deadlocking), computes each level from the locked, latest row version,
 * and charges all of them only if every one has room. Under READ COMMITTED a check that waited for a lock reads
 * the row as the previous check left it, so N concurrent checks on a bucket of size B admit exactly B.
 */
export class PostgresRateBucketStore implements RateBucketStore {
  constructor(private readonly db: PostgresClient) {}

  async take(demands: readonly BucketDemand[], reservation: TokenReservation | null): Promise<BucketCheck> {
    const wanted = [...new Map(demands.map((d) => [d.key, d])).values()];
    for (let attempt = 0; ; attempt++) {
      const rows = await this.db.rows<{ key: string; level: number; admitted: boolean }>(
        `WITH want AS (
           SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[]) AS w(key, capacity, per_second, cost)
         ), cur AS (
           SELECT b.key, w.capacity, w.per_second, w.cost, ${REFILLED('b', 'w.capacity', 'w.per_second')} AS level,
                  GREATEST(b.updated_at, now()) AS at
             FROM rate_buckets b JOIN want w ON w.key = b.key
            ORDER BY b.key
              FOR UPDATE OF b
         ), verdict AS (
           SELECT count(*) = cardinality($1::text[]) AND coalesce(bool_and(level >= cost), false) AS admitted FROM cur
         ), charged AS (
           UPDATE rate_buckets b SET tokens = c.level - c.cost, capacity = c.capacity, per_second = c.per_second, updated_at = c.at
             FROM cur c, verdict v
            WHERE b.key = c.key AND v.admitted
         ), reserved AS (
           INSERT INTO admission_reservations (job_id, tenant_id, bucket_keys, estimated_tokens, created_at)
           SELECT $5::uuid, $6::text, $7::text[], $8::int, now() FROM verdict WHERE admitted AND $5::uuid IS NOT NULL
         )
         SELECT c.key, c.level, v.admitted FROM cur c, verdict v`,
        [
          wanted.map((d) => d.key),
          wanted.map((d) => d.capacity),
          wanted.map((d) => d.perSecond),
          wanted.map((d) => d.cost),
          reservation?.jobId ?? null,
          reservation?.tenantId ?? null,
          reservation?.bucketKeys ?? [],
          reservation ? Math.ceil(reservation.estimatedTokens) : 0,
        ],
      );
      if (rows.length === wanted.length || attempt === 2) {
        return { admitted: rows.length === wanted.length && rows.every((r) => r.admitted), levels: rows.map((r) => ({ key: r.key, level: r.level })) };
      }
      // A bucket's first use: create it full, then check again (the sweep may delete an idle one in between).
      await this.db.count(
        `INSERT INTO rate_buckets (key, tokens, capacity, per_second, updated_at)
         SELECT key, capacity, capacity, per_second, now() FROM unnest($1::text[], $2::float8[], $3::float8[]) AS w(key, capacity, per_second)
         ORDER BY key
         ON CONFLICT (key) DO NOTHING`,
        [wanted.map((d) => d.key), wanted.map((d) => d.capacity), wanted.map((d) => d.perSecond)],
      );
    }
  }

  async settleEnded(limit: number): Promise<number> {
    const [row] = await this.db.rows<{ settled: number }>(
      `WITH ended AS (
         DELETE FROM admission_reservations r
          USING jobs j
          WHERE j.id = r.job_id
            AND r.job_id IN (SELECT r2.job_id FROM admission_reservations r2 JOIN jobs j2 ON j2.id = r2.job_id
                              WHERE j2.status NOT IN ('queued', 'running') LIMIT $1)
         RETURNING r.job_id, r.bucket_keys, r.estimated_tokens, j.status
       ), credits AS (
         SELECT k.key, sum(e.estimated_tokens - CASE WHEN e.status = 'failed' THEN e.estimated_tokens ELSE coalesce(u.total_tokens, 0) END) AS credit
           FROM ended e LEFT JOIN usage_records u ON u.job_id = e.job_id, unnest(e.bucket_keys) AS k(key)
          GROUP BY k.key
       ), locked AS (
         SELECT b.key FROM rate_buckets b JOIN credits c ON c.key = b.key ORDER BY b.key FOR UPDATE OF b
       ), credited AS (
         UPDATE rate_buckets b
            SET tokens = LEAST(b.capacity, ${REFILLED('b', 'b.capacity', 'b.per_second')} + c.credit), updated_at = GREATEST(b.updated_at, now())
           FROM credits c JOIN locked l ON l.key = c.key
          WHERE b.key = c.key
       )
       SELECT count(*)::int AS settled FROM ended`,
      [limit],
    );
    return row?.settled ?? 0;
  }

  async sweep(): Promise<void> {
    await this.db.count(
      `DELETE FROM admission_reservations r
        WHERE r.created_at < now() - interval '${ORPHAN_AFTER}' AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = r.job_id)`,
    );
    await this.db.count(`DELETE FROM rate_buckets WHERE updated_at < now() - interval '${IDLE_AFTER}'`);
  }
}
