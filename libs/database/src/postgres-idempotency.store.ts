import type { IdempotencyClaim, IdempotencyRecord, IdempotencyScope, IdempotencyStore } from './idempotency-store.port';
import type { PostgresClient } from './postgres.client';

interface RecordRow {
  fingerprint: string;
  job_id: string;
  state: 'pending' | 'done';
  lease_expired: boolean;
  response: string | null;
}

const SCOPE = 'tenant_id = $1 AND route = $2 AND key = $3';
const scopeOf = (s: IdempotencyScope) => [s.tenantId, s.route, s.key];

/**
 * IdempotencyStore on PostgreSQL. The primary key (tenant, route, key) makes the claim atomic: of concurrent first
 * requests, on any replica, exactly one inserts the row. Every later change names the claim's owner, so a request
 * whose lease ran out and was taken over cannot overwrite its successor's record.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: PostgresClient) {}

  async claim(
    claim: IdempotencyClaim,
    fingerprint: string,
    leaseMs: number,
    ttlMs: number,
  ): Promise<{ claimed: true } | { claimed: false; record: IdempotencyRecord | null }> {
    const inserted = await this.db.count(
      `INSERT INTO idempotency_keys (tenant_id, route, key, fingerprint, job_id, state, owner, locked_until, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, now() + $7 * interval '1 millisecond', now() + $8 * interval '1 millisecond')
       ON CONFLICT (tenant_id, route, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, job_id = EXCLUDED.job_id, state = 'pending', owner = EXCLUDED.owner,
             locked_until = EXCLUDED.locked_until, response = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
         WHERE idempotency_keys.expires_at < now()`,
      [...scopeOf(claim.scope), fingerprint, claim.jobId, claim.owner, leaseMs, ttlMs],
    );
    if (inserted === 1) return { claimed: true };
    // A new statement, so it sees the row the conflicting request committed.
    const [row] = await this.db.rows<RecordRow>(
      `SELECT fingerprint, job_id, state, locked_until IS NULL OR locked_until < now() AS lease_expired, response
         FROM idempotency_keys WHERE ${SCOPE} AND expires_at >= now()`,
      scopeOf(claim.scope),
    );
    return {
      claimed: false,
      record: row ? { fingerprint: row.fingerprint, jobId: row.job_id, state: row.state, leaseExpired: row.lease_expired, response: row.response } : null,
    };
  }

  async takeOver(claim: IdempotencyClaim, previousJobId: string, leaseMs: number): Promise<boolean> {
    const changed = await this.db.count(
      `UPDATE idempotency_keys SET job_id = $4, owner = $5, state = 'pending', response = NULL, locked_until = now() + $6 * interval '1 millisecond'
        WHERE ${SCOPE} AND job_id = $7 AND (state = 'done' OR locked_until IS NULL OR locked_until < now())`,
      [...scopeOf(claim.scope), claim.jobId, claim.owner, leaseMs, previousJobId],
    );
    return changed === 1;
  }

  async renew(claim: IdempotencyClaim, leaseMs: number): Promise<boolean> {
    const changed = await this.db.count(
      `UPDATE idempotency_keys SET locked_until = now() + $5 * interval '1 millisecond' WHERE ${SCOPE} AND owner = $4 AND state = 'pending'`,
      [...scopeOf(claim.scope), claim.owner, leaseMs],
    );
    return changed === 1;
  }

  async complete(claim: IdempotencyClaim, response: string | null): Promise<void> {
    await this.db.count(
      `UPDATE idempotency_keys SET state = 'done', response = $5, owner = NULL, locked_until = NULL WHERE ${SCOPE} AND owner = $4 AND state = 'pending'`,
      [...scopeOf(claim.scope), claim.owner, response],
    );
  }

  async expire(claim: IdempotencyClaim): Promise<void> {
    await this.db.count(`UPDATE idempotency_keys SET locked_until = now() WHERE ${SCOPE} AND owner = $4 AND state = 'pending'`, [
      ...scopeOf(claim.scope),
      claim.owner,
    ]);
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    await this.db.count(`DELETE FROM idempotency_keys WHERE ${SCOPE} AND owner = $4 AND state = 'pending'`, [...scopeOf(claim.scope), claim.owner]);
  }

  async sweepExpired(): Promise<number> {
    return this.db.count(`DELETE FROM idempotency_keys WHERE expires_at < now()`);
  }
}
