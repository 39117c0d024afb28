import { isUuid, type JobCancelled, type JobCompleted, type JobFailed, type JobStarted, type JobStatus } from '@conveyor/contracts';
import {
  In,
  LessThan,
  type DataSource,
  type EntityManager,
  type FindOptionsWhere,
  type ObjectLiteral,
  type QueryDeepPartialEntity,
  type Repository,
} from 'typeorm';
import { JobEntity } from './entities/job.entity';
import { toJobRecord } from './job-record.mapper';
import { WriteBatcher } from './write-batcher';
import type { JobListQuery, JobRecord, JobStore, NewJob } from './job-store.port';
import { insertUsageRecord } from './typeorm-usage.store';
import type { UsageEntry } from './usage-store.port';

/** Condition for a job that can still move: terminal jobs are never written again. */
const UNFINISHED = "status IN ('queued', 'running')";

/**
 * JobStore on PostgreSQL. Each transition is one conditional UPDATE whose WHERE clause encodes the allowed
 * source states, so concurrent, duplicated or reordered events are settled by the database, not by a read
 * followed by a write. Ids that are not UUIDs never reach SQL (a uuid cast error would be a 500).
 */
export class TypeOrmJobStore implements JobStore {
  private readonly jobs: Repository<JobEntity>;
  private readonly inserts = new WriteBatcher<NewJob>((jobs) => this.insertMany(jobs), { maxBatch: 256, maxInFlight: 4 });

  constructor(private readonly dataSource: DataSource) {
    this.jobs = dataSource.getRepository(JobEntity);
  }

  /**
   * The submit path's write. Concurrent submits are inserted together (see WriteBatcher: one statement and one
   * commit for all the rows that arrived meanwhile), in plain SQL: the query builder cost more CPU than the
   * statement itself. Each caller still resolves only once its own row is committed.
   */
  insert(job: NewJob): Promise<void> {
    return this.inserts.write(job);
  }

  private async insertMany(jobs: readonly NewJob[]): Promise<void> {
    const column = <V>(pick: (job: NewJob) => V): V[] => jobs.map(pick);
    await this.dataSource.query(
      `INSERT INTO jobs (id, tenant_id, status, model, priority, messages, params, metadata, trace_id, callback_url, callback_secret, attempts, created_at, updated_at)
       SELECT id, tenant_id, 'queued', model, priority, messages::jsonb, params::jsonb, metadata::jsonb, trace_id, callback_url, callback_secret, 0, created_at, created_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
         AS t(id, tenant_id, model, priority, messages, params, metadata, trace_id, callback_url, callback_secret, created_at)`,
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
      ],
    );
  }

  async remove(id: string): Promise<void> {
    if (isUuid(id)) await this.jobs.delete({ id });
  }

  async findForTenant(tenantId: string, id: string): Promise<JobRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.jobs.findOneBy({ id, tenantId });
    return row ? toJobRecord(row) : null;
  }

  async listForTenant(tenantId: string, query: JobListQuery): Promise<{ jobs: JobRecord[]; hasMore: boolean }> {
    if (query.after !== undefined && !isUuid(query.after)) return { jobs: [], hasMore: false };
    const where: FindOptionsWhere<JobEntity> = { tenantId };
    if (query.status) where.status = query.status;
    if (query.after) where.id = LessThan(query.after);
    // One row past the page tells whether another page exists, without a COUNT.
    const rows = await this.jobs.find({ where, order: { id: 'DESC' }, take: query.limit + 1 });
    return { jobs: rows.slice(0, query.limit).map(toJobRecord), hasMore: rows.length > query.limit };
  }

  async statusOf(id: string): Promise<JobStatus | null> {
    if (!isUuid(id)) return null;
    const rows: Array<{ status: JobStatus }> = await this.dataSource.query('SELECT status FROM jobs WHERE id = $1', [id]);
    return rows[0]?.status ?? null;
  }

  async hasCallback(tenantId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM jobs WHERE id = $1 AND tenant_id = $2 AND callback_url IS NOT NULL', [id, tenantId]);
    return rows.length > 0;
  }

  async cancelQueued(tenantId: string, id: string, at: Date): Promise<{ job: JobRecord; changed: boolean } | null> {
    if (!isUuid(id)) return null;
    const changed = await this.transition(id, tenantId, { status: 'cancelled', cancelledAt: at }, "status = 'queued'");
    const job = await this.findForTenant(tenantId, id);
    return job ? { job, changed } : null;
  }

  /** queued → running, or running → running for a redelivery (a higher attempt, possibly another worker). */
  async markStarted(event: JobStarted): Promise<boolean> {
    if (!isUuid(event.job_id)) return false;
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, $3), worker_id = $4, attempts = GREATEST(attempts, $5), updated_at = now()
       WHERE id = $1 AND tenant_id = $2 AND (status = 'queued' OR (status = 'running' AND attempts < $5))`,
      [event.job_id, event.tenant_id, new Date(event.started_at), event.worker_id, event.attempt],
    );
    return affected > 0;
  }

  /**
   * Only from an unfinished job: a duplicate completion never overwrites the first result. The update and the
   * job's usage record are one statement (a data-modifying CTE), so they commit together and the record is
   * written only when the update changed the row — one round trip instead of a transaction's four.
   */
  async markCompleted(event: JobCompleted): Promise<boolean> {
    if (!isUuid(event.job_id)) return false;
    const { usage } = event.result;
    const rows: Array<{ changed: number }> = await this.dataSource.query(
      `WITH done AS (
         UPDATE jobs SET status = 'completed', result = $3::jsonb, attempts_log = $4::jsonb, worker_id = $5, completed_at = $6,
           started_at = COALESCE(started_at, $7), attempts = GREATEST(attempts, $8), updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND ${UNFINISHED}
         RETURNING id, tenant_id, model
       ), recorded AS (
         INSERT INTO usage_records (job_id, tenant_id, model, outcome, prompt_tokens, completion_tokens, total_tokens, estimated, recorded_at)
         SELECT id, tenant_id, model, 'completed', $9, $10, $11, $12, $6 FROM done
         ON CONFLICT (job_id) DO NOTHING
       )
       SELECT count(*)::int AS changed FROM done`,
      [
        event.job_id,
        event.tenant_id,
        JSON.stringify(event.result),
        JSON.stringify(event.attempts_log ?? []),
        event.worker_id,
        new Date(event.completed_at),
        new Date(event.started_at),
        event.attempt,
        usage.prompt_tokens,
        usage.completion_tokens,
        usage.total_tokens,
        event.result.usage_estimated ?? false,
      ],
    );
    return rows[0]!.changed > 0;
  }

  markFailed(event: JobFailed): Promise<boolean> {
    return this.transition(
      event.job_id,
      event.tenant_id,
      {
        status: 'failed',
        error: event.error,
        attemptsLog: event.attempts_log ?? [],
        failedAt: new Date(event.failed_at),
        attempts: () => 'GREATEST(attempts, :attempt)',
      },
      UNFINISHED,
      { attempt: event.attempt },
    );
  }

  /**
   * queued → cancelled (the gateway's cancel), or running → cancelled with the partial text (a worker stopped it);
   * the partial usage, estimated, counts towards the tenant's usage.
   */
  markCancelled(event: JobCancelled): Promise<boolean> {
    const set = { status: 'cancelled' as const, cancelledAt: new Date(event.cancelled_at), ...(event.partial ? { partialResult: event.partial } : {}) };
    const usage: UsageEntry | undefined = event.partial && { outcome: 'cancelled', usage: event.partial.usage, estimated: true, at: new Date(event.cancelled_at) };
    return this.transition(event.job_id, event.tenant_id, set, "status IN ('queued', 'running')", {}, usage);
  }

  async listUnfinished(limit: number): Promise<JobRecord[]> {
    const rows = await this.jobs.find({ where: { status: In(['queued', 'running']) }, order: { id: 'ASC' }, take: limit });
    return rows.map(toJobRecord);
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /**
   * One conditional UPDATE of one tenant's job (an event naming the wrong tenant changes nothing); true iff it
   * changed a row. With `usage`, the update and the job's usage record commit together, and the record is written
   * only when the update changed the row: a redelivered or stale event never counts a job twice, and a crash
   * between the two cannot lose the usage of a job that did end.
   */
  private async transition(
    id: string,
    tenantId: string,
    set: QueryDeepPartialEntity<JobEntity>,
    condition: string,
    parameters: ObjectLiteral = {},
    usage?: UsageEntry,
  ): Promise<boolean> {
    if (!isUuid(id)) return false;
    const apply = async (manager: EntityManager) => {
      const result = await manager
        .createQueryBuilder()
        .update(JobEntity)
        .set({ ...set, updatedAt: () => 'now()' })
        .where('id = :id AND tenant_id = :tenantId', { id, tenantId })
        .andWhere(condition, parameters)
        .execute();
      return (result.affected ?? 0) > 0;
    };
    return usage ? this.withUsage(id, usage, apply) : apply(this.dataSource.manager);
  }

  /** Runs `update` and, only if it changed the row, records the job's usage, in one transaction. */
  private withUsage(id: string, usage: UsageEntry, update: (manager: EntityManager) => Promise<boolean>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const changed = await update(manager);
      if (changed) await insertUsageRecord(manager, id, usage);
      return changed;
    });
  }
}
