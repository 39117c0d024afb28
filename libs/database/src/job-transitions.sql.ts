import { isUuid, type JobCancelled, type JobCompleted, type JobExpired, type JobFailed, type JobStarted } from '@conveyor/contracts';
import type { SqlExecutor } from './postgres.client';

/**
 * The job state transitions as batch statements: one UPDATE … FROM unnest(…) for any number of jobs, so a burst of
 * events commits once. Each keeps the single-row rules: the WHERE clause encodes the allowed source states (a
 * duplicate, late or reordered event changes nothing), and a transition that spends tokens records its usage in
 * the same statement, only for the rows it changed (usage_records.job_id is the second guard). Each answers the
 * ids it changed. Input is deduplicated by job first: one statement must not update a row twice.
 */

const UNFINISHED = "j.status IN ('queued', 'running')";

function distinct<E extends { job_id: string }>(events: readonly E[]): E[] {
  const seen = new Set<string>();
  return events.filter((e) => isUuid(e.job_id) && !seen.has(e.job_id) && (seen.add(e.job_id), true));
}

/** The batch columns from an event's `batch` (jsonb text, or null for a job that ran on its own). */
const SET_BATCH = `batch_id = (i.batch::jsonb->>'id')::uuid, batch_mode = i.batch::jsonb->>'mode', batch_size = (i.batch::jsonb->>'size')::smallint,
       batch_index = (i.batch::jsonb->>'index')::smallint, batch_fallback = (i.batch::jsonb->>'fallback')::boolean`;
const batchOf = (e: { batch?: unknown }): string | null => (e.batch ? JSON.stringify(e.batch) : null);

const changedIds = (rows: Array<{ id: string }>): Set<string> => new Set(rows.map((r) => r.id));

/** The jobs a terminal transition changed, each with whether it has its own callback URL (for the webhook fan-out). */
export type EndedIds = Map<string, boolean>;

const endedIds = (rows: Array<{ id: string; callback: boolean }>): EndedIds => new Map(rows.map((r) => [r.id, r.callback]));

/** queued → running, or running → running for a redelivery (a higher attempt, possibly another worker). */
export async function markStartedMany(db: SqlExecutor, batch: readonly JobStarted[]): Promise<Set<string>> {
  const events = distinct(batch);
  if (events.length === 0) return new Set();
  const rows = await db.rows<{ id: string }>(
    `UPDATE jobs j SET status = 'running', started_at = COALESCE(j.started_at, i.started_at), worker_id = i.worker_id,
       attempts = GREATEST(j.attempts, i.attempt), starts = j.starts + 1, updated_at = now()
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::int[]) AS i(id, tenant_id, started_at, worker_id, attempt)
     WHERE j.id = i.id AND j.tenant_id = i.tenant_id AND (j.status = 'queued' OR (j.status = 'running' AND j.attempts < i.attempt))
     RETURNING j.id`,
    [
      events.map((e) => e.job_id),
      events.map((e) => e.tenant_id),
      events.map((e) => new Date(e.started_at)),
      events.map((e) => e.worker_id),
      events.map((e) => e.attempt),
    ],
  );
  return changedIds(rows);
}

/** Only from an unfinished job: a duplicate completion never overwrites the first result. */
export async function markCompletedMany(db: SqlExecutor, batch: readonly JobCompleted[]): Promise<EndedIds> {
  const events = distinct(batch);
  if (events.length === 0) return new Map();
  const rows = await db.rows<{ id: string; callback: boolean }>(
    `WITH i AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::int[],
                            $9::int[], $10::int[], $11::int[], $12::bool[], $13::text[])
         AS t(id, tenant_id, result, attempts_log, worker_id, completed_at, started_at, attempt, prompt_tokens, completion_tokens, total_tokens, estimated, batch)
     ), done AS (
       UPDATE jobs j SET status = 'completed', result = i.result::jsonb, attempts_log = i.attempts_log::jsonb, worker_id = i.worker_id,
         completed_at = i.completed_at, started_at = COALESCE(j.started_at, i.started_at), attempts = GREATEST(j.attempts, i.attempt), updated_at = now(),
         ${SET_BATCH}
       FROM i WHERE j.id = i.id AND j.tenant_id = i.tenant_id AND ${UNFINISHED}
       RETURNING j.id, j.tenant_id, j.model, j.callback_url IS NOT NULL AS callback
     ), recorded AS (
       INSERT INTO usage_records (job_id, tenant_id, model, outcome, prompt_tokens, completion_tokens, total_tokens, estimated, recorded_at)
       SELECT d.id, d.tenant_id, d.model, 'completed', i.prompt_tokens, i.completion_tokens, i.total_tokens, i.estimated, i.completed_at
       FROM done d JOIN i ON i.id = d.id
       ON CONFLICT (job_id) DO NOTHING
     )
     SELECT id, callback FROM done`,
    [
      events.map((e) => e.job_id),
      events.map((e) => e.tenant_id),
      events.map((e) => JSON.stringify(e.result)),
      events.map((e) => JSON.stringify(e.attempts_log ?? [])),
      events.map((e) => e.worker_id),
      events.map((e) => new Date(e.completed_at)),
      events.map((e) => new Date(e.started_at)),
      events.map((e) => e.attempt),
      events.map((e) => e.result.usage.prompt_tokens),
      events.map((e) => e.result.usage.completion_tokens),
      events.map((e) => e.result.usage.total_tokens),
      events.map((e) => e.result.usage_estimated ?? false),
      events.map(batchOf),
    ],
  );
  return endedIds(rows);
}

/** queued or running → failed. */
export async function markFailedMany(db: SqlExecutor, batch: readonly JobFailed[]): Promise<EndedIds> {
  const events = distinct(batch);
  if (events.length === 0) return new Map();
  const rows = await db.rows<{ id: string; callback: boolean }>(
    `UPDATE jobs j SET status = 'failed', error = i.error::jsonb, attempts_log = i.attempts_log::jsonb, failed_at = i.failed_at,
       attempts = GREATEST(j.attempts, i.attempt), updated_at = now(), ${SET_BATCH}
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int[], $7::text[])
       AS i(id, tenant_id, error, attempts_log, failed_at, attempt, batch)
     WHERE j.id = i.id AND j.tenant_id = i.tenant_id AND ${UNFINISHED}
     RETURNING j.id, j.callback_url IS NOT NULL AS callback`,
    [
      events.map((e) => e.job_id),
      events.map((e) => e.tenant_id),
      events.map((e) => JSON.stringify(e.error)),
      events.map((e) => JSON.stringify(e.attempts_log ?? [])),
      events.map((e) => new Date(e.failed_at)),
      events.map((e) => e.attempt),
      events.map(batchOf),
    ],
  );
  return endedIds(rows);
}

/**
 * queued → cancelled (the gateway's cancel), or running → cancelled with the partial text (a worker stopped it);
 * the partial usage, estimated, counts towards the tenant's usage.
 */
export async function markCancelledMany(db: SqlExecutor, batch: readonly JobCancelled[]): Promise<EndedIds> {
  const events = distinct(batch);
  if (events.length === 0) return new Map();
  const partial = (e: JobCancelled) => e.partial ?? null;
  const rows = await db.rows<{ id: string; callback: boolean }>(
    `WITH i AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::int[], $6::int[], $7::int[], $8::text[])
         AS t(id, tenant_id, cancelled_at, partial, prompt_tokens, completion_tokens, total_tokens, batch)
     ), done AS (
       UPDATE jobs j SET status = 'cancelled', cancelled_at = i.cancelled_at, partial_result = COALESCE(i.partial::jsonb, j.partial_result), updated_at = now(),
         ${SET_BATCH}
       FROM i WHERE j.id = i.id AND j.tenant_id = i.tenant_id AND ${UNFINISHED}
       RETURNING j.id, j.tenant_id, j.model, j.callback_url IS NOT NULL AS callback
     ), recorded AS (
       INSERT INTO usage_records (job_id, tenant_id, model, outcome, prompt_tokens, completion_tokens, total_tokens, estimated, recorded_at)
       SELECT d.id, d.tenant_id, d.model, 'cancelled', i.prompt_tokens, i.completion_tokens, i.total_tokens, true, i.cancelled_at
       FROM done d JOIN i ON i.id = d.id WHERE i.partial IS NOT NULL
       ON CONFLICT (job_id) DO NOTHING
     )
     SELECT id, callback FROM done`,
    [
      events.map((e) => e.job_id),
      events.map((e) => e.tenant_id),
      events.map((e) => new Date(e.cancelled_at)),
      events.map((e) => (partial(e) ? JSON.stringify(partial(e)) : null)),
      events.map((e) => partial(e)?.usage.prompt_tokens ?? 0),
      events.map((e) => partial(e)?.usage.completion_tokens ?? 0),
      events.map((e) => partial(e)?.usage.total_tokens ?? 0),
      events.map(batchOf),
    ],
  );
  return endedIds(rows);
}

/** queued → expired: a job that never started and whose deadline passed. A job already running runs on. */
export async function markExpiredMany(db: SqlExecutor, batch: readonly JobExpired[]): Promise<EndedIds> {
  const events = distinct(batch);
  if (events.length === 0) return new Map();
  const rows = await db.rows<{ id: string; callback: boolean }>(
    `UPDATE jobs j SET status = 'expired', expired_at = i.expired_at, updated_at = now()
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS i(id, tenant_id, expired_at)
     WHERE j.id = i.id AND j.tenant_id = i.tenant_id AND j.status = 'queued'
     RETURNING j.id, j.callback_url IS NOT NULL AS callback`,
    [events.map((e) => e.job_id), events.map((e) => e.tenant_id), events.map((e) => new Date(e.expired_at))],
  );
  return endedIds(rows);
}
