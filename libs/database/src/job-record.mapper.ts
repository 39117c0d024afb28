import type { JobEntity } from './entities/job.entity';
import type { JobRecord } from './job-store.port';

/** Copies a loaded row into the port's plain record, so no TypeORM entity instance leaks past the store. */
export function toJobRecord(row: JobEntity): JobRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    status: row.status,
    model: row.model,
    priority: row.priority,
    messages: row.messages,
    params: row.params,
    metadata: row.metadata,
    traceId: row.traceId,
    callbackUrl: row.callbackUrl,
    callbackSecret: row.callbackSecret,
    result: row.result,
    error: row.error,
    attempts: row.attempts,
    attemptsLog: row.attemptsLog ?? [],
    partialResult: row.partialResult ?? null,
    workerId: row.workerId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    failedAt: row.failedAt,
    cancelledAt: row.cancelledAt,
  };
}
