import { randomUUID } from 'node:crypto';
import { isUuid } from '@conveyor/contracts';
import type {
  DeliveryAttempt,
  DeliveryClaim,
  DeliveryOutcome,
  DeliveryStatus,
  NewWebhookDelivery,
  WebhookDeliveryRecord,
  WebhookDeliveryStore,
} from './webhook-delivery-store.port';
import type { PostgresClient } from './postgres.client';

interface DeliveryRow {
  id: string;
  tenant_id: string;
  endpoint_id: string | null;
  callback_url: string | null;
  callback_secret: string | null;
  job_id: string;
  event_type: string;
  webhook_id: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  schedule_base: number;
  attempt_log: DeliveryAttempt[];
  next_attempt_at: Date | null;
  dead_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** `now() + ms`, in SQL, from a parameter. */
const inMs = (param: string) => `now() + make_interval(secs => ${param}::double precision / 1000)`;

/**
 * WebhookDeliveryStore on PostgreSQL, in plain SQL: every state change is one conditional UPDATE (claim only a
 * pending, due, unleased row; finish only with the lease token), so concurrent consumers and redelivered
 * messages are settled by the database. All times are the database's, so consumers' clocks never matter.
 */
export class PostgresWebhookDeliveryStore implements WebhookDeliveryStore {
  constructor(private readonly db: PostgresClient) {}

  async createMany(deliveries: NewWebhookDelivery[]): Promise<void> {
    for (const d of deliveries) {
      await this.db.count(
        `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, target, callback_url, callback_secret, job_id, event_type, webhook_id, payload, next_attempt_at)
         VALUES ($1, $2, $3::uuid, COALESCE($3::uuid::text, 'callback'), $4, $5, $6, $7, $8, $9, now())
         ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO NOTHING`,
        [d.id, d.tenantId, d.endpointId, d.callbackUrl, d.callbackSecret, d.jobId, d.eventType, d.webhookId, d.payload],
      );
    }
  }

  async undispatched(jobId: string, eventType: string): Promise<WebhookDeliveryRecord[]> {
    const rows = await this.db.rows<DeliveryRow>(
      `SELECT * FROM webhook_deliveries WHERE job_id = $1 AND event_type = $2 AND dispatched_at IS NULL ORDER BY id`,
      [jobId, eventType],
    );
    return rows.map(toRecord);
  }

  async markDispatched(id: string): Promise<void> {
    await this.db.count(`UPDATE webhook_deliveries SET dispatched_at = now() WHERE id = $1`, [id]);
  }

  async claim(id: string, leaseMs: number): Promise<DeliveryClaim> {
    if (!isUuid(id)) return { kind: 'missing' };
    const lockToken = randomUUID();
    const claimed = await this.db.rows<DeliveryRow>(
      `WITH claimed AS (
         UPDATE webhook_deliveries SET lock_token = $2, locked_until = ${inMs('$3')}, updated_at = now()
         WHERE id = $1 AND status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
           AND (locked_until IS NULL OR locked_until <= now())
         RETURNING *)
       SELECT * FROM claimed`,
      [id, lockToken, leaseMs],
    );
    if (claimed[0]) return { kind: 'claimed', delivery: toRecord(claimed[0]), lockToken };
    const [row] = await this.db.rows<{ status: DeliveryStatus; wait_ms: number }>(
      `SELECT status, CEIL(EXTRACT(EPOCH FROM GREATEST(COALESCE(next_attempt_at, now()), COALESCE(locked_until, now())) - now()) * 1000)::int AS wait_ms
       FROM webhook_deliveries WHERE id = $1`,
      [id],
    );
    if (!row) return { kind: 'missing' };
    if (row.status !== 'pending') return { kind: 'finished' };
    return { kind: 'not-due', waitMs: Math.max(row.wait_ms, 1) };
  }

  async finish(id: string, lockToken: string, attempt: DeliveryAttempt | null, outcome: DeliveryOutcome): Promise<boolean> {
    const retryInMs = outcome.status === 'pending' ? outcome.retryInMs : null;
    const deadReason = outcome.status === 'dead' ? outcome.reason : null;
    const changed = await this.db.rows<DeliveryRow>(
      `WITH finished AS (
         UPDATE webhook_deliveries SET
           attempts = attempts + CASE WHEN $3::jsonb IS NULL THEN 0 ELSE 1 END,
           attempt_log = CASE WHEN $3::jsonb IS NULL THEN attempt_log ELSE attempt_log || jsonb_build_array($3::jsonb) END,
           status = $4,
           next_attempt_at = CASE WHEN $5::int IS NULL THEN NULL ELSE ${inMs('$5')} END,
           dead_reason = $6, lock_token = NULL, locked_until = NULL, updated_at = now()
         WHERE id = $1 AND lock_token = $2
         RETURNING id)
       SELECT * FROM finished`,
      [id, lockToken, attempt ? JSON.stringify(attempt) : null, outcome.status, retryInMs, deadReason],
    );
    return changed.length > 0;
  }

  async listForEndpoint(tenantId: string, endpointId: string, limit: number): Promise<WebhookDeliveryRecord[]> {
    if (!isUuid(endpointId)) return [];
    const rows = await this.db.rows<DeliveryRow>(`SELECT * FROM webhook_deliveries WHERE tenant_id = $1 AND endpoint_id = $2 ORDER BY id DESC LIMIT $3`, [
      tenantId,
      endpointId,
      limit,
    ]);
    return rows.map(toRecord);
  }

  async replay(tenantId: string, endpointId: string, deliveryId: string): Promise<WebhookDeliveryRecord | null> {
    if (!isUuid(endpointId) || !isUuid(deliveryId)) return null;
    const rows = await this.db.rows<DeliveryRow>(
      `WITH replayed AS (
         UPDATE webhook_deliveries SET status = 'pending', schedule_base = attempts, next_attempt_at = now(), dead_reason = NULL, updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND endpoint_id = $3
         RETURNING *)
       SELECT * FROM replayed`,
      [deliveryId, tenantId, endpointId],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }
}

function toRecord(row: DeliveryRow): WebhookDeliveryRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    endpointId: row.endpoint_id,
    callbackUrl: row.callback_url,
    callbackSecret: row.callback_secret,
    jobId: row.job_id,
    eventType: row.event_type,
    webhookId: row.webhook_id,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    scheduleBase: row.schedule_base,
    attemptLog: row.attempt_log,
    nextAttemptAt: row.next_attempt_at,
    deadReason: row.dead_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
