import { isUuid, type JobCancelled, type JobCompleted, type JobFailed, type JobStarted, type JobStatus } from '@conveyor/contracts';
import {
  In,
  LessThan,
  type DataSource,
  type FindOptionsWhere,
  type ObjectLiteral,
  type QueryDeepPartialEntity,
  type Repository,
} from 'typeorm';
import { JobEntity } from './entities/job.entity';
import { toJobRecord } from './job-record.mapper';
import type { JobListQuery, JobRecord, JobStore, NewJob } from './job-store.port';

/** Condition for a job that can still move: terminal jobs are never written again. */
const UNFINISHED = "status IN ('queued', 'running')";

/**
 * JobStore on PostgreSQL. Each transition is one conditional UPDATE whose WHERE clause encodes the allowed
 * source states, so concurrent, duplicated or reordered events are settled by the database, not by a read
 * followed by a write. Ids that are not UUIDs never reach SQL (a uuid cast error would be a 500).
 */
export class TypeOrmJobStore implements JobStore {
  private readonly jobs: Repository<JobEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.jobs = dataSource.getRepository(JobEntity);
  }

  async insert(job: NewJob): Promise<void> {
    await this.jobs.insert({
      id: job.id,
      tenantId: job.tenantId,
      status: 'queued',
      model: job.model,
      priority: job.priority,
      messages: job.messages,
      params: job.params,
      metadata: job.metadata,
      traceId: job.traceId,
      callbackUrl: job.callbackUrl ?? null,
      callbackSecret: job.callbackSecret ?? null,
      attempts: 0,
      createdAt: job.createdAt,
      updatedAt: job.createdAt,
    });
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
    const row = await this.jobs.findOne({ select: { status: true }, where: { id } });
    return row?.status ?? null;
  }

  async cancelQueued(tenantId: string, id: string, at: Date): Promise<{ job: JobRecord; changed: boolean } | null> {
    if (!isUuid(id)) return null;
    const changed = await this.transition(id, tenantId, { status: 'cancelled', cancelledAt: at }, "status = 'queued'");
    const job = await this.findForTenant(tenantId, id);
    return job ? { job, changed } : null;
  }

  /** queued → running, or running → running for a redelivery (a higher attempt, possibly another worker). */
  markStarted(event: JobStarted): Promise<boolean> {
    return this.transition(
      event.job_id,
      event.tenant_id,
      {
        status: 'running',
        startedAt: () => 'COALESCE(started_at, :startedAt)',
        workerId: event.worker_id,
        attempts: () => 'GREATEST(attempts, :attempt)',
      },
      "(status = 'queued' OR (status = 'running' AND attempts < :attempt))",
      { startedAt: new Date(event.started_at), attempt: event.attempt },
    );
  }

  /** Only from an unfinished job: a duplicate completion never overwrites the first result. */
  markCompleted(event: JobCompleted): Promise<boolean> {
    return this.transition(
      event.job_id,
      event.tenant_id,
      {
        status: 'completed',
        result: event.result,
        attemptsLog: event.attempts_log ?? [],
        workerId: event.worker_id,
        completedAt: new Date(event.completed_at),
        startedAt: () => 'COALESCE(started_at, :startedAt)',
        attempts: () => 'GREATEST(attempts, :attempt)',
      },
      UNFINISHED,
      { startedAt: new Date(event.started_at), attempt: event.attempt },
    );
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

  /** Only queued jobs for now; cancelling a running job needs the worker's cooperation. */
  /** queued → cancelled (the gateway's cancel), or running → cancelled with the partial text (a worker stopped it). */
  markCancelled(event: JobCancelled): Promise<boolean> {
    const set = { status: 'cancelled' as const, cancelledAt: new Date(event.cancelled_at), ...(event.partial ? { partialResult: event.partial } : {}) };
    return this.transition(event.job_id, event.tenant_id, set, "status IN ('queued', 'running')");
  }

  async listUnfinished(limit: number): Promise<JobRecord[]> {
    const rows = await this.jobs.find({ where: { status: In(['queued', 'running']) }, order: { id: 'ASC' }, take: limit });
    return rows.map(toJobRecord);
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /** One conditional UPDATE of one tenant's job (an event naming the wrong tenant changes nothing); true iff it changed a row. */
  private async transition(
    id: string,
    tenantId: string,
    set: QueryDeepPartialEntity<JobEntity>,
    condition: string,
    parameters: ObjectLiteral = {},
  ): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.dataSource
      .createQueryBuilder()
      .update(JobEntity)
      .set({ ...set, updatedAt: () => 'now()' })
      .where('id = :id AND tenant_id = :tenantId', { id, tenantId })
      .andWhere(condition, parameters)
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
