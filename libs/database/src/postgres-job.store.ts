import {
  isUuid,
  type JobCancelled,
  type JobCompleted,
  type JobFailed,
  type JobRecord,
  type JobStarted,
  type JobStatus,
  type NewJob,
  type JobExpired,
  type PriorityBand,
} from '@conveyor/contracts';
import { toJobRecord, type JobRow } from './job.row';
import type { EndedJobs, JobListQuery, JobStore, QueuedCount, RemovalOutcome, RunState } from './job-store.port';
import { markCancelledMany, markCompletedMany, markExpiredMany, markFailedMany, markStartedMany, type EndedIds } from './job-transitions.sql';
import type { PostgresClient, SqlExecutor } from './postgres.client';
import { WriteBatcher } from './write-batcher';
import { uuidv7LowerBound } from './postgres-job-stats.store';

/** Condition for a job that can still move: terminal jobs are never written again. */
const UNFINISHED = "status IN ('queued', 'running')";
/**
 * How long confirms wait to be recorded. Only a job still queued by then is written: one that ran meanwhile needs
 * no mark (the orphan sweep looks at queued jobs alone), so on a pipeline without a backlog most confirms cost a
 * lookup and no row write. Short next to the orphan bound's default (60 s); a bound set below it only sends a copy
 * of a job still waiting, which workers tell apart.
 */
const ENQUEUED_LINGER_MS = 1_000;

/**
 * JobStore on PostgreSQL. Each transition is one conditional UPDATE whose WHERE clause encodes the allowed
 * source states, so concurrent, duplicated or reordered events are settled by the database, not by a read
 * followed by a write; a transition that records usage does so in the same statement; a batch of transitions is
 * one statement per kind (job-transitions.sql.ts). Ids that are not UUIDs never reach SQL (a uuid cast error
 * would be a 500).
 */
export class PostgresJobStore implements JobStore {
  private readonly inserts = new WriteBatcher<NewJob>((jobs) => this.insertMany(jobs), { maxBatch: 256, maxInFlight: 4 });

  /**
   * Confirms recorded together: one UPDATE for every job confirmed meanwhile, off the submit's own path. Nobody
   * waits for these marks (only the orphan sweep reads them, a minute later by default), so they linger
   * (ENQUEUED_LINGER_MS) and share a statement and a commit.
   */
  private readonly enqueued = new WriteBatcher<string>((ids) => this.markEnqueuedMany(ids), { maxBatch: 8_192, maxInFlight: 2, lingerMs: ENQUEUED_LINGER_MS });

  /**
   * A worker's reads of the jobs it was handed, made together: one statement for every read of the same moment (a
   * worker taking a backlog reads each job it may have been refused, see the inference job runner). The worker
   * holds each job's message, so the read also marks it enqueued where the gateway has not yet: a gateway still
   * waiting for that confirm then keeps the job instead of removing it (see `remove`).
   */
  private readonly runStates = new WriteBatcher<string, RunState | null>((ids) => this.readRunStates(ids), { maxBatch: 1_024, maxInFlight: 2 });

  constructor(private readonly db: PostgresClient) {}

  /**
   * The CTE answers the rows it marked; the plain SELECT, from the statement's snapshot, the rows marked before it.
   * A row marked by someone else while the UPDATE waited for its lock is in neither, so what both missed is read
   * again: only a row that is not there answers null.
   */
  private async readRunStates(ids: readonly string[]): Promise<Array<RunState | null>> {
    type Row = RunState & { id: string };
    const rows = await this.db.rows<Row>(
      `WITH marked AS (
         UPDATE jobs SET enqueued_at = now() WHERE id = ANY($1::uuid[]) AND enqueued_at IS NULL RETURNING id, status, starts)
       SELECT id, status, starts FROM marked
       UNION ALL
       SELECT id, status, starts FROM jobs WHERE id = ANY($1::uuid[]) AND enqueued_at IS NOT NULL`,
      [ids],
    );
    const seen = new Set(rows.map((r) => r.id));
    const missed = ids.filter((id) => !seen.has(id));
    if (missed.length > 0) rows.push(...(await this.db.rows<Row>('SELECT id, status, starts FROM jobs WHERE id = ANY($1::uuid[])', [missed])));
    const byId = new Map(rows.map((r) => [r.id, { status: r.status, starts: r.starts }]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * The submit path's write. Concurrent submits are inserted together (see WriteBatcher: one statement and one
   * commit for all the rows that arrived meanwhile); each caller still resolves only once its own row is committed.
   */
  insert(job: NewJob): Promise<void> {
    return this.inserts.write(job);
  }

  private async insertMany(jobs: readonly NewJob[]): Promise<void> {
    const column = <V>(pick: (job: NewJob) => V): V[] => jobs.map(pick);
    await this.db.count(
      `INSERT INTO jobs (id, tenant_id, status, model, priority, messages, params, metadata, trace_id, callback_url, callback_secret, attempts, created_at, updated_at, expires_at)
       SELECT id, tenant_id, 'queued', model, priority, messages::jsonb, params::jsonb, metadata::jsonb, trace_id, callback_url, callback_secret, 0, created_at, created_at, expires_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[])
         AS t(id, tenant_id, model, priority, messages, params, metadata, trace_id, callback_url, callback_secret, created_at, expires_at)`,
      [
        column((j) => j.id),
        column((j) => j.tenantId),
        column((j) => j.model),
        column((j) => j.priority),
        column((j) => JSON.stringify(j.messages)),
        column((j) => JSON.stringify(j.params)),
        column((j) => JSON.stringify(j.metadata)),
        column((j) => j.traceId),
        column((j) => j.callbackUrl ?? null),
        column((j) => j.callbackSecret ?? null),
        column((j) => j.createdAt),
        column((j) => j.expiresAt ?? null),
      ],
    );
  }

  markEnqueued(id: string): Promise<void> {
    return this.enqueued.write(id);
  }

  private async markEnqueuedMany(ids: readonly string[]): Promise<void> {
    await this.db.count(`UPDATE jobs SET enqueued_at = now() WHERE id = ANY($1::uuid[]) AND enqueued_at IS NULL AND status = 'queued'`, [ids]);
  }

  async republishOrphans(before: Date, limit: number, publish: (jobs: JobRecord[]) => Promise<string[]>): Promise<number> {
    return this.db.transaction(async (tx) => {
      // uuidv7 ids sort by creation: `id <` a bound walks jobs_unfinished_idx instead of every queued row.
      const rows = await tx.rows<JobRow>(
        `SELECT * FROM jobs WHERE status = 'queued' AND enqueued_at IS NULL AND id < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [uuidv7LowerBound(before), limit],
      );
      if (rows.length === 0) return 0;
      const published = await publish(rows.map(toJobRecord));
      if (published.length === 0) return 0;
      return tx.count(`UPDATE jobs SET enqueued_at = now() WHERE id = ANY($1::uuid[])`, [published]);
    });
  }

  async remove(id: string): Promise<RemovalOutcome> {
    if (!isUuid(id)) return 'absent';
    if ((await this.db.count('DELETE FROM jobs WHERE id = $1 AND enqueued_at IS NULL', [id])) > 0) return 'removed';
    // Read apart from the DELETE: one that waited on a worker's mark re-checks the row, but a subquery beside it
    // would still see the snapshot from before the mark.
    const rows = await this.db.rows('SELECT 1 FROM jobs WHERE id = $1', [id]);
    return rows.length > 0 ? 'delivered' : 'absent';
  }

  async findForTenant(tenantId: string, id: string): Promise<JobRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.rows<JobRow>('SELECT * FROM jobs WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
    return row ? toJobRecord(row) : null;
  }

  async listForTenant(tenantId: string, query: JobListQuery): Promise<{ jobs: JobRecord[]; hasMore: boolean }> {
    if (query.after !== undefined && !isUuid(query.after)) return { jobs: [], hasMore: false };
    const params: unknown[] = [tenantId, query.limit + 1];
    const where = ['tenant_id = $1'];
    if (query.status) where.push(`status = $${params.push(query.status)}`);
    if (query.after) where.push(`id < $${params.push(query.after)}`);
    // One row past the page tells whether another page exists, without a COUNT.
    const rows = await this.db.rows<JobRow>(`SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $2`, params);
    return { jobs: rows.slice(0, query.limit).map(toJobRecord), hasMore: rows.length > query.limit };
  }

  async statusOf(id: string): Promise<JobStatus | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.rows<{ status: JobStatus }>('SELECT status FROM jobs WHERE id = $1', [id]);
    return row?.status ?? null;
  }

  async runStateOf(id: string): Promise<RunState | null> {
    if (!isUuid(id)) return null;
    return this.runStates.write(id);
  }

  async hasCallback(tenantId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.db.rows('SELECT 1 FROM jobs WHERE id = $1 AND tenant_id = $2 AND callback_url IS NOT NULL', [id, tenantId]);
    return rows.length > 0;
  }

  /**
   * One statement: the row after the update when it changed, the row as it is otherwise. Under READ COMMITTED an
   * UPDATE that waited on the row's lock (persistence writing the job's start) skips the row it no longer matches,
   * while the SELECT beside it still reads the snapshot from before the wait: "queued, unchanged" is that stale
   * view, so the statement runs again and sees the start.
   */
  async cancelQueued(tenantId: string, id: string, at: Date): Promise<{ job: JobRecord; changed: boolean } | null> {
    if (!isUuid(id)) return null;
    for (let attempt = 1; ; attempt++) {
      const [row] = await this.db.rows<JobRow & { changed: boolean }>(
        `WITH cancelled AS (
           UPDATE jobs SET status = 'cancelled', cancelled_at = $3, updated_at = now()
           WHERE id = $1 AND tenant_id = $2 AND status = 'queued'
           RETURNING *)
         SELECT *, true AS changed FROM cancelled
         UNION ALL
         SELECT *, false AS changed FROM jobs WHERE id = $1 AND tenant_id = $2 AND NOT EXISTS (SELECT 1 FROM cancelled)`,
        [id, tenantId, at],
      );
      if (!row) return null;
      if (row.changed || row.status !== 'queued' || attempt === 3) return { job: toJobRecord(row), changed: row.changed };
    }
  }

  markStarted(event: JobStarted): Promise<boolean> {
    return markStartedMany(this.db, [event]).then((ids) => ids.has(event.job_id));
  }

  markCompleted(event: JobCompleted): Promise<boolean> {
    return markCompletedMany(this.db, [event]).then((ids) => ids.has(event.job_id));
  }

  markFailed(event: JobFailed): Promise<boolean> {
    return markFailedMany(this.db, [event]).then((ids) => ids.has(event.job_id));
  }

  markCancelled(event: JobCancelled): Promise<boolean> {
    return markCancelledMany(this.db, [event]).then((ids) => ids.has(event.job_id));
  }

  markExpired(event: JobExpired): Promise<boolean> {
    return markExpiredMany(this.db, [event]).then((ids) => ids.has(event.job_id));
  }

  markStartedMany(events: readonly JobStarted[]): Promise<Set<string>> {
    return markStartedMany(this.db, events);
  }

  /** Completions, failures, cancellations and expiries of one batch: one commit for the lot. */
  markEndedMany(ended: EndedJobs): Promise<EndedIds> {
    // Each transition is one statement, atomic alone, and each job's is independent of the others': a batch of one
    // kind (nearly every batch) runs without BEGIN and COMMIT, two round trips off every job's end.
    const kinds = [ended.completed, ended.failed, ended.cancelled, ended.expired].filter((list) => list.length > 0).length;
    if (kinds <= 1) return this.markEndedOn(this.db, ended);
    return this.db.transaction((tx) => this.markEndedOn(tx, ended));
  }

  private async markEndedOn(db: SqlExecutor, ended: EndedJobs): Promise<EndedIds> {
    const changed = await markCompletedMany(db, ended.completed);
    for (const more of [await markFailedMany(db, ended.failed), await markCancelledMany(db, ended.cancelled), await markExpiredMany(db, ended.expired)]) {
      for (const [id, callback] of more) changed.set(id, callback);
    }
    return changed;
  }

  async dueToExpire(limit: number, now: Date): Promise<Array<{ id: string; tenantId: string; model: string; priority: PriorityBand; expiresAt: Date }>> {
    const rows = await this.db.rows<{ id: string; tenant_id: string; model: string; priority: PriorityBand; expires_at: Date }>(
      `SELECT id, tenant_id, model, priority, expires_at FROM jobs WHERE status = 'queued' AND expires_at <= $2 ORDER BY expires_at LIMIT $1`,
      [limit, now],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, model: r.model, priority: r.priority, expiresAt: r.expires_at }));
  }

  async queuedCounts(bands: readonly PriorityBand[], jobId: string): Promise<QueuedCount[]> {
    // uuidv7 ids sort by creation time: `id < $2` is "queued before the job" (jobs_queued_band_idx).
    const rows = await this.db.rows<{ priority: PriorityBand; tenant_id: string; total: string; before: string }>(
      `SELECT priority, tenant_id, count(*) AS total, count(*) FILTER (WHERE id < $2) AS before
       FROM jobs WHERE status = 'queued' AND priority = ANY($1::text[]) GROUP BY priority, tenant_id`,
      [bands, jobId],
    );
    return rows.map((r) => ({ band: r.priority, tenantId: r.tenant_id, total: Number(r.total), before: Number(r.before) }));
  }

  async startedSince(since: Date): Promise<number> {
    const rows = await this.db.rows<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE started_at >= $1`, [since]);
    return Number(rows[0]?.n ?? 0);
  }

  async statusesOf(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return new Map();
    const rows = await this.db.rows<{ id: string; status: JobStatus }>('SELECT id, status FROM jobs WHERE id = ANY($1::uuid[])', [valid]);
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  async endedUnstartedSince(since: Date, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM jobs WHERE status IN ('cancelled', 'expired') AND started_at IS NULL AND COALESCE(expired_at, cancelled_at) >= $1
       ORDER BY COALESCE(expired_at, cancelled_at) DESC LIMIT $2`,
      [since, limit],
    );
    return rows.map((r) => r.id);
  }

  async listUnfinished(limit: number): Promise<JobRecord[]> {
    const rows = await this.db.rows<JobRow>(`SELECT * FROM jobs WHERE ${UNFINISHED} ORDER BY id ASC LIMIT $1`, [limit]);
    return rows.map(toJobRecord);
  }

  async ping(): Promise<void> {
    await this.db.rows('SELECT 1');
  }
}
